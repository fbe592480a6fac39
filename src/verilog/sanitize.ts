/** Names from models are untrusted: turn them into legal, unique, non-keyword Verilog identifiers and safe file names. */

const KEYWORDS = new Set(`always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign default
defparam design disable edge else end endcase endconfig endfunction endgenerate endmodule endprimitive endspecify endtable
endtask event for force forever fork function generate genvar highz0 highz1 if ifnone incdir include initial inout input
instance integer join large liblist library localparam macromodule medium module nand negedge nmos nor noshowcancelled not
notif0 notif1 or output parameter pmos posedge primitive pull0 pull1 pulldown pullup pulsestyle_ondetect pulsestyle_onevent
rcmos real realtime reg release repeat rnmos rpmos rtran rtranif0 rtranif1 scalared showcancelled signed small specify
specparam strong0 strong1 supply0 supply1 table task time tran tranif0 tranif1 tri tri0 tri1 triand trior trireg unsigned
use uwire vectored wait wand weak0 weak1 while wire wor xnor xor logic bit byte int shortint longint type typedef enum
struct union interface modport class package import export program property sequence assert assume cover restrict
unique priority final alias always_comb always_ff always_latch bind chandle const context dist do endclass endinterface
endpackage endprogram endproperty endsequence extends extern foreach forkjoin iff ignore_bins illegal_bins inside intersect
join_any join_none local new null protected pure rand randc randcase randsequence ref return solve static string super
tagged this throughout timeprecision timeunit var virtual void wait_order wildcard with within`.split(/\s+/));

const MAX_LEN = 60;

/** Whether `s` is a legal simple identifier that is not a (System)Verilog keyword. */
export function isLegalIdentifier(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(s) && !KEYWORDS.has(s) && s.length <= 1024;
}

/** A legal identifier for `name`, unique within `taken` (which it updates). */
export function sanitizeIdentifier(name: string, taken: Set<string>): string {
  let s = name.normalize('NFKD').replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_');
  if (!/^[A-Za-z_]/.test(s)) s = `n_${s}`;
  if (s === '' || s === '_') s = 'n';
  if (KEYWORDS.has(s) || KEYWORDS.has(s.toLowerCase())) s = `${s}_i`;
  if (s.length > MAX_LEN) s = s.slice(0, MAX_LEN);
  let candidate = s;
  for (let i = 1; taken.has(candidate.toLowerCase()); i++) candidate = `${s}_${i}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** A plain file name (no directories) derived from a sanitized identifier. */
export function safeFileName(identifier: string, ext: string): string {
  const base = identifier.replace(/[^A-Za-z0-9_]/g, '_').slice(0, MAX_LEN) || 'file';
  return `${base}.${ext.replace(/[^A-Za-z0-9]/g, '')}`;
}
