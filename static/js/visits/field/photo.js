// Photos are shrunk on the phone before they are queued: a 12-megapixel camera shot is
// 3–6 MB, which a weak rural signal cannot send; at most 1600 px on the long edge as a
// JPEG it is a few hundred KB, plenty to judge a display. Drawing on a canvas also drops
// EXIF (GPS, phone model); the capture time travels as `taken_at` instead.
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

/** When the photo was taken, as ISO text: the file's time (the camera's capture moment
 *  for a photo just taken), or now. */
export function takenAt(file) {
  const moment = file.lastModified ? new Date(file.lastModified) : new Date();
  return moment.toISOString();
}
