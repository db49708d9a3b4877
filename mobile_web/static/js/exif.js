// Read a JPEG's EXIF time (DateTimeOriginal + OffsetTimeOriginal) and GPS
// position: the resized copy loses them, so the phone sends them alongside.
export function readExif(buffer) {
  const v = new DataView(buffer);
  if (v.byteLength < 4 || v.getUint16(0) !== 0xffd8) return {};
  let p = 2;
  while (p + 4 <= v.byteLength) {
    const marker = v.getUint16(p);
    const size = v.getUint16(p + 2);
    if (marker === 0xffe1 && v.getUint32(p + 4) === 0x45786966) return parseTiff(v, p + 10);
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) break;
    p += 2 + size;
  }
  return {};
}

function parseTiff(v, start) {
  const le = v.getUint16(start) === 0x4949;
  const u16 = (o) => v.getUint16(start + o, le);
  const u32 = (o) => v.getUint32(start + o, le);
  const ascii = (o, n) => {
    let s = '';
    for (let i = 0; i < n; i++) { const c = v.getUint8(start + o + i); if (!c) break; s += String.fromCharCode(c); }
    return s;
  };
  const ifd = (offset) => {
    const tags = {};
    if (!offset || start + offset + 2 > v.byteLength) return tags;
    const n = u16(offset);
    for (let i = 0; i < n; i++) {
      const e = offset + 2 + i * 12;
      if (start + e + 12 > v.byteLength) break;
      const type = u16(e + 2), count = u32(e + 4);
      const sizes = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 10: 8 };
      const data = (sizes[type] || 1) * count > 4 ? u32(e + 8) : e + 8;
      if (type === 2) tags[u16(e)] = ascii(data, count);
      else if (type === 3) tags[u16(e)] = u16(data);
      else if (type === 4) tags[u16(e)] = u32(data);
      else if (type === 5) tags[u16(e)] = [...Array(count)].map((_, k) => u32(data + k * 8) / (u32(data + k * 8 + 4) || 1));
    }
    return tags;
  };
  try {
    const ifd0 = ifd(u32(4));
    const exif = ifd(ifd0[0x8769]);
    const gps = ifd(ifd0[0x8825]);
    const out = {};
    const m = /^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)/.exec(exif[0x9003] || '');
    if (m) {
      const [, y, mo, d, hh, mi, ss] = m.map(Number);
      const offset = /^[+-]\d\d:\d\d$/.test(exif[0x9011] || '') ? exif[0x9011] : null;
      out.taken_at = offset
        ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${offset}`
        : new Date(y, mo - 1, d, hh, mi, ss).toISOString(); // camera clock = the phone's zone
    }
    const deg = (a) => (Array.isArray(a) && a.length === 3 ? a[0] + a[1] / 60 + a[2] / 3600 : null);
    const lat = deg(gps[2]), lon = deg(gps[4]);
    if (lat !== null && lon !== null && (lat || lon)) {
      out.lat = gps[1] === 'S' ? -lat : lat;
      out.lon = gps[3] === 'W' ? -lon : lon;
    }
    return out;
  } catch {
    return {};
  }
}
