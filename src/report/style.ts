/** The report's stylesheet (inlined; system fonts only, so the page needs no network). */
export const CSS = `
:root { --bg:#f4f6f9; --card:#fff; --text:#0f172a; --muted:#64748b; --line:#e2e8f0; --accent:#f97316; --ok:#059669; --bad:#dc2626; --blue:#3b82f6; }
* { box-sizing: border-box; }
html { scroll-behavior: smooth; }
body { margin:0; background:var(--bg); color:var(--text); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; -webkit-font-smoothing: antialiased; }
.wrap { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header.top { background: linear-gradient(120deg, #0f172a 0%, #1e293b 60%, #1e3a5f 100%); color:#fff; padding: 26px 0 22px; }
.eyebrow { text-transform: uppercase; letter-spacing: .12em; font-size: 11px; color:#94a3b8; font-weight:600; }
h1 { margin: 4px 0 10px; font-size: 30px; font-weight: 700; letter-spacing: -.01em; word-break: break-all; }
.chips { display:flex; flex-wrap:wrap; gap:8px; }
.chip { display:inline-flex; align-items:center; gap:6px; padding: 3px 10px; border-radius: 999px; background: rgba(255,255,255,.1); border:1px solid rgba(255,255,255,.16); font-size: 12.5px; color:#e2e8f0; }
.chip.ok { background: rgba(16,185,129,.2); border-color: rgba(16,185,129,.5); color:#a7f3d0; }
.chip.bad { background: rgba(239,68,68,.22); border-color: rgba(239,68,68,.55); color:#fecaca; }
.chip.warn { background: rgba(245,158,11,.18); border-color: rgba(245,158,11,.5); color:#fde68a; }
.model { margin-top: 10px; font-size: 12px; color:#94a3b8; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; word-break: break-all; }
nav.toc { position: sticky; top: 0; z-index: 5; background: rgba(255,255,255,.92); backdrop-filter: blur(6px); border-bottom: 1px solid var(--line); }
nav.toc .wrap { display:flex; gap: 4px; overflow-x:auto; }
nav.toc a { color: var(--muted); text-decoration:none; padding: 10px 10px; font-size: 13px; font-weight: 600; white-space: nowrap; border-bottom: 2px solid transparent; }
nav.toc a:hover { color: var(--text); border-bottom-color: var(--accent); }
main { padding: 22px 0 40px; }
.tiles { display:grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 14px; }
.tile { background: var(--card); border:1px solid var(--line); border-radius: 12px; padding: 14px 16px; box-shadow: 0 1px 2px rgba(15,23,42,.04); min-width: 0; }
.tile-label { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); font-weight: 600; }
.tile-value { font-size: 26px; font-weight: 700; margin: 2px 0 2px; letter-spacing: -.01em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-variant-numeric: tabular-nums; }
.tile-sub { font-size: 12.5px; color: var(--muted); }
.tile-bad { border-color: #fecaca; background: #fef2f2; }
.tile-good .tile-value { color: var(--ok); }
.tile-bad .tile-value { color: var(--bad); }
.tile-accent .tile-value { color: #c2410c; }
.tile-name .tile-value { font-size: 21px; line-height: 32px; }
.hero { margin-bottom: 18px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 14px; padding: 20px 22px 22px; margin: 18px 0; box-shadow: 0 1px 3px rgba(15,23,42,.05); scroll-margin-top: 48px; }
section.card > h2 { margin: 0 0 2px; font-size: 19px; letter-spacing: -.01em; }
.lede { margin: 0 0 14px; color: var(--muted); max-width: 860px; }
h3 { font-size: 14px; margin: 14px 0 8px; display:flex; align-items:center; gap: 12px; flex-wrap: wrap; }
.chart-box { overflow-x: auto; }
svg.chart { max-width: 100%; height: auto; display:block; }
svg.chart { fill: #0f172a; }
svg.chart text { font-size: 12px; }
svg.chart text.tick { font-size: 11px; fill: var(--muted); }
svg.chart text.note { font-size: 11px; font-weight: 600; }
svg.chart text.small { font-size: 11px; }
svg.chart text.tiny { font-size: 10px; }
svg.chart text.muted { fill: var(--muted); }
svg.chart text.strong { font-weight: 700; }
svg.chart text.box-title { font-size: 12.5px; font-weight: 700; fill: #fff; }
svg.chart text.fold { font-size: 13.5px; font-weight: 700; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
svg.chart text.tag { font-size: 10.5px; font-weight: 700; fill: #fff; letter-spacing: .03em; }
svg.chart g.layer:hover > rect:nth-of-type(1), svg.chart g.layer.worst:hover > rect:nth-of-type(2) { stroke: #0f172a; }
svg.chart g.row:hover rect { opacity: .85; }
.grid2 { display:grid; grid-template-columns: minmax(0, 1.35fr) minmax(0, 1fr); gap: 22px; align-items: start; }
.grid2.even { grid-template-columns: minmax(0,1fr) minmax(0,1fr); }
.grid3 { display:grid; grid-template-columns: repeat(3, minmax(0,1fr)); gap: 18px; margin-top: 8px; }
@media (max-width: 900px) { .grid2, .grid2.even, .grid3 { grid-template-columns: 1fr; } }
.figures { display:flex; flex-direction: column; gap: 12px; }
.figure { border-left: 3px solid var(--line); padding: 2px 0 2px 12px; }
.figure b { display:block; font-size: 22px; letter-spacing: -.01em; font-variant-numeric: tabular-nums; }
.figure > span { color: var(--muted); font-size: 12.5px; }
.figure.accent { border-left-color: var(--accent); }
.figure.okb { border-left-color: var(--ok); }
.legend { display:inline-flex; flex-wrap: wrap; gap: 12px; font-size: 12px; color: var(--muted); font-weight: 500; }
.sw { display:inline-block; width: 11px; height: 11px; border-radius: 3px; vertical-align: -1px; margin-right: 4px; }
.sw.tick { width: 3px; height: 13px; background: #0f172a; border-radius: 1px; }
.sw.dash { width: 16px; height: 0; border-top: 2px dashed var(--bad); border-radius: 0; vertical-align: 3px; }
.dot { display:inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 7px; }
.ok { color: var(--ok); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
.muted { color: var(--muted); }
.banner { border-radius: 12px; padding: 12px 16px; margin: 0 0 16px; border: 1px solid; }
.banner.bad { background:#fef2f2; border-color:#fecaca; color:#7f1d1d; font-weight: 500; }
.banner code { white-space: pre-wrap; }
.stages { display:grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 14px; }
.stage { border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; position: relative; }
.stage.pass { border-top: 4px solid var(--ok); }
.stage.fail { border-top: 4px solid var(--bad); background: #fffafa; }
.stage h4 { margin: 0 0 4px; font-size: 14px; display:flex; gap: 8px; align-items: flex-start; justify-content: space-between; }
.stage .what { color: var(--muted); font-size: 12.5px; margin-bottom: 10px; min-height: 36px; }
.kv { display:grid; grid-template-columns: auto 1fr; gap: 3px 14px; font-size: 13px; }
.kv dt { color: var(--muted); }
.kv dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.badge { white-space: nowrap; flex: none; font-size: 11px; font-weight: 700; padding: 1px 8px; border-radius: 999px; }
.badge.pass { background: #d1fae5; color: #065f46; }
.badge.fail { background: #fee2e2; color: #991b1b; }
.diverge { margin-top: 10px; padding: 8px 10px; border-radius: 8px; background: #fee2e2; color: #7f1d1d; font-size: 12.5px; }
.controls { display:grid; grid-template-columns: minmax(0, 1fr) auto; gap: 10px 24px; align-items: center; background: #f8fafc; border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; margin-bottom: 16px; }
.slider-row { display:flex; flex-direction: column; gap: 6px; min-width: 0; }
.slider-head { display:flex; justify-content: space-between; align-items: baseline; gap: 12px; flex-wrap: wrap; }
.slider-head label { font-weight: 700; }
#explore-target { font-variant-numeric: tabular-nums; color: var(--muted); }
#explore-target b { color: var(--text); font-size: 16px; }
input[type=range] { width: 100%; accent-color: var(--accent); height: 22px; margin: 0; }
.scale { display:flex; justify-content: space-between; font-size: 11px; color: var(--muted); }
.knobs { display:flex; gap: 14px; align-items: flex-end; flex-wrap: wrap; }
.knobs label { display:flex; flex-direction: column; font-size: 11.5px; color: var(--muted); font-weight: 600; gap: 3px; }
.knobs select, .knobs input[type=number] { font: inherit; font-size: 13px; padding: 4px 6px; border: 1px solid #cbd5e1; border-radius: 6px; background: #fff; color: var(--text); }
.knobs input[type=number] { width: 76px; }
button { font: inherit; font-size: 13px; font-weight: 600; padding: 5px 12px; border-radius: 7px; border: 1px solid #cbd5e1; background: #fff; cursor: pointer; }
button:hover { border-color: var(--accent); color: #c2410c; }
table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 6px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
th:first-child, td:first-child { text-align: left; }
td:last-child, th:last-child { text-align: left; }
tr.changed td { background: #fff7ed; }
tr.worst td:first-child { font-weight: 700; color: #c2410c; }
.fold-table { margin-top: 16px; }
.table-scroll { overflow-x: auto; }
.synth-table td:last-child, .synth-table th:last-child { text-align: right; }
.synth-table tr.total td { font-weight: 700; border-top: 2px solid var(--line); }
td.warn { color: #b45309; font-weight: 600; }
#synth-route { margin: 6px 0 10px; }
.steps { display:flex; height: 30px; border-radius: 8px; overflow: hidden; border: 1px solid var(--line); margin: 6px 0 10px; }
.steps div { min-width: 3px; border-right: 1px solid #fff; }
.step-list { display:grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 6px 16px; font-size: 13px; }
.step-list div { display:flex; justify-content: space-between; gap: 8px; border-bottom: 1px dashed var(--line); padding: 3px 0; }
.step-list .failed { color: var(--bad); font-weight: 700; }
.step-list .notrun { color: #94a3b8; }
.files { display:flex; flex-wrap: wrap; gap: 8px; margin-top: 12px; }
.files a { font-size: 12.5px; color: #1d4ed8; text-decoration: none; border: 1px solid #dbeafe; background: #eff6ff; border-radius: 7px; padding: 3px 9px; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
.files a:hover { border-color: #93c5fd; }
.notes { margin: 12px 0 0; padding-left: 18px; color: #92400e; font-size: 12.5px; }
.empty { color: var(--muted); font-style: italic; padding: 10px 0; }
footer { color: var(--muted); font-size: 12px; padding: 0 0 30px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: .92em; }
@media print { nav.toc { display:none; } section.card { break-inside: avoid; box-shadow: none; } }
`;
