// Photos: read EXIF, then resize in the browser to <= 1600 px JPEG before storing.
import { readExif } from './exif.js';

export const MAX_EDGE = 1600;
export const QUALITY = 0.8;

export async function preparePhoto(file) {
  const head = await file.slice(0, 256 * 1024).arrayBuffer();
  const meta = readExif(head);
  const blob = await resize(file);
  return { blob, ...meta };
}

async function resize(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
}
