// RFC 3264 §8.2: a stream is removed by setting its port to 0 and keeping the m-line, and a
// changed offer increments the o= version.

/** Set the port of the given m-lines (1-based, in order of appearance) to 0. */
export function disableMLines(sdp: string, mLines: readonly number[]): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  let index = 0;
  const out = sdp.split(/\r?\n/).map((line) => {
    if (line.startsWith('m=')) {
      index++;
      if (mLines.includes(index)) return line.replace(/^m=(\S+)\s+\d+(\/\d+)?/, 'm=$1 0');
    } else if (line.startsWith('o=')) {
      return bumpVersion(line);
    }
    return line;
  });
  return out.join(eol);
}

function bumpVersion(origin: string): string {
  const parts = origin.split(' ');
  if (parts.length < 3 || !/^[0-9]+$/.test(parts[2])) return origin;
  parts[2] = (BigInt(parts[2]) + 1n).toString();
  return parts.join(' ');
}
