// How a SIP body (a byte string: one character per byte, D-112) is kept in a text column. Text
// bodies are stored as they are, readable in the database; the only byte a text column refuses
// (PostgreSQL: NUL) is stored as U+0100, a character no byte string can contain, so the mapping
// is exact both ways.
const NUL = '\u0000';
const NUL_STAND_IN = '\u0100';

export function bodyToColumn(body: string): string {
  return body.includes(NUL) ? body.replaceAll(NUL, NUL_STAND_IN) : body;
}

export function bodyFromColumn(text: string): string {
  return text.includes(NUL_STAND_IN) ? text.replaceAll(NUL_STAND_IN, NUL) : text;
}

/**
 * A body as an operator reads it: UTF-8 text when its bytes are UTF-8, else a note of its size
 * (binary, or compressed with its Content-Encoding).
 */
export function bodyForDisplay(body: string): string {
  const bytes = Buffer.from(body, 'latin1');
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) && !/[\u0000-\u0008\u000e-\u001f]/.test(text) ? text : `(${bytes.length} bytes, binary)`;
}
