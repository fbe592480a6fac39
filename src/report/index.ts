/** report.html for a build directory: self-contained and offline (styles, data and the explorer script inlined). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserBundle } from './bundle.ts';
import { loadReportData } from './data.ts';
import { renderPage } from './page.ts';
import type { ReportData } from './types.ts';

export type { ReportData } from './types.ts';
export { loadReportData } from './data.ts';

/** The page for already-loaded report data. */
export function renderReport(data: ReportData): string {
  return renderPage(data, browserBundle());
}

/** Read `buildDir`, write `<buildDir>/report.html` and return its path. Same build directory → identical bytes. */
export function writeReport(buildDir: string): string {
  const html = renderReport(loadReportData(buildDir));
  const path = join(buildDir, 'report.html');
  writeFileSync(path, html);
  return path;
}
