// Photos are shrunk on the phone before they are queued: a 12-megapixel camera shot is
// 3–6 MB, which a weak rural signal cannot send; at most 1600 px on the long edge as a
// JPEG it is a few hundred KB, plenty to judge a display. Drawing on a canvas also drops
// EXIF (GPS, phone model); the capture time is read from it first and travels as
// `taken_at` instead.
export const MAX_EDGE = 1600;
export const QUALITY = 0.8;

async function decode(file) {
  if ("createImageBitmap" in window) {
    try {
      return await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch {
      // Fall through: some browsers decode more formats through <img> (HEIC on iOS).
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The photo as a JPEG Blob at most `maxEdge` px on its long side:
 *  {blob, width, height}. Rejects when the file is not a readable image. */
export async function compressPhoto(file, { maxEdge = MAX_EDGE, quality = QUALITY } = {}) {
  const source = await decode(file);
  const width = source.width || source.naturalWidth;
  const height = source.height || source.naturalHeight;
  if (!width || !height) throw new Error("empty image");
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff"; // transparent PNG areas become white, not black
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  if (source.close) source.close();
  const blob = await new Promise((resolve, reject) => {
    canvas.toBlob((result) => (result ? resolve(result) : reject(new Error("encode failed"))),
      "image/jpeg", quality);
  });
  return { blob, width: canvas.width, height: canvas.height };
}

/** When the photo was taken, as ISO text: the camera's EXIF DateTimeOriginal when the
 *  file has one (read here because the canvas drops EXIF), else the file's time (the
 *  capture moment for a photo just taken), else now. */
export async function takenAt(file) {
  const exif = await exifTakenAt(file).catch(() => null);
  if (exif) return exif.toISOString();
  const moment = file.lastModified ? new Date(file.lastModified) : new Date();
  return moment.toISOString();
}

const DATE_TIME_ORIGINAL = 0x9003;
const EXIF_IFD_POINTER = 0x8769;

/** EXIF DateTimeOriginal of a JPEG as a Date in the phone's time zone, or null. Reads
 *  only the file's first 128 KB, where the APP1 segment sits. */
export async function exifTakenAt(file) {
  const view = new DataView(await file.slice(0, 128 * 1024).arrayBuffer());
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null; // not a JPEG
  let offset = 2;
  while (offset + 4 <= view.byteLength) {
    const marker = view.getUint16(offset);
    const size = view.getUint16(offset + 2);
    if (marker === 0xffe1 && view.getUint32(offset + 4) === 0x45786966) { // "Exif"
      return readTiff(view, offset + 10);
    }
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null; // image data
    offset += 2 + size;
  }
  return null;
}

function readTiff(view, tiff) {
  const little = view.getUint16(tiff) === 0x4949; // "II"
  const u16 = (at) => view.getUint16(tiff + at, little);
  const u32 = (at) => view.getUint32(tiff + at, little);
  const entry = (ifd, tag) => {
    const count = u16(ifd);
    for (let i = 0; i < count; i += 1) {
      const at = ifd + 2 + i * 12;
      if (u16(at) === tag) return at;
    }
    return null;
  };
  const pointer = entry(u32(4), EXIF_IFD_POINTER);
  if (pointer === null) return null;
  const original = entry(u32(pointer + 8), DATE_TIME_ORIGINAL);
  if (original === null || u32(original + 4) < 19) return null;
  const at = u32(original + 8);
  let text = "";
  for (let i = 0; i < 19; i += 1) text += String.fromCharCode(view.getUint8(tiff + at + i));
  const match = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const moment = new Date(year, month - 1, day, hour, minute, second);
  return Number.isNaN(moment.getTime()) ? null : moment;
}
