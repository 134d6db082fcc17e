/**
 * Number cells: decimal notation only ("12", "-3.5", ".5", "1e-3", "+7"); hex, binary, octal,
 * "Infinity" and thousands separators are not numbers. Written for speed: a million-row file
 * passes every cell through here.
 */

/** `cell` must already be trimmed. */
export function parseNumberCell(cell: string): number | null {
  const c = cell.charCodeAt(0);
  // A digit, '+', '-' or '.' must come first (rules out "Infinity", "0x" handled below, words).
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return null;
  if (c === 48 && cell.length > 1) {
    const d = cell.charCodeAt(1) | 32;
    if (d === 120 || d === 98 || d === 111) return null; // 0x 0b 0o
  }
  const n = +cell;
  return n === n && n !== Infinity && n !== -Infinity ? n : null;
}

export function parseNumber(value: string): number | null {
  return parseNumberCell(value.trim());
}
