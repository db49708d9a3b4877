// IndexedDB: the phone's copy of inspections, drafts, photos and the outbox.
const NAME = 'kiemtra';
let opening;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore('inspections', { keyPath: 'uuid' });
      db.createObjectStore('drafts', { keyPath: 'uuid' });
      db.createObjectStore('photos', { keyPath: 'uuid' }).createIndex('inspection', 'inspection_uuid');
      db.createObjectStore('outbox', { keyPath: 'id' });
      db.createObjectStore('meta', { keyPath: 'key' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opening;
}

async function run(store, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const req = fn(tx.objectStore(store));
    tx.oncomplete = () => resolve(req && req.result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

export const get = (store, key) => run(store, 'readonly', (s) => s.get(key));
export const all = (store) => run(store, 'readonly', (s) => s.getAll());
export const put = (store, value) => run(store, 'readwrite', (s) => s.put(value));
export const del = (store, key) => run(store, 'readwrite', (s) => s.delete(key));
export const byInspection = (uuid) => run('photos', 'readonly', (s) => s.index('inspection').getAll(uuid));

// Ask the browser not to evict our data; say so when space runs low.
export async function protectStorage() {
  const s = navigator.storage;
  if (!s) return { low: false };
  if (s.persist) await s.persist().catch(() => false);
  if (!s.estimate) return { low: false };
  const { usage = 0, quota = 0 } = await s.estimate();
  return { low: quota > 0 && (quota - usage < 100e6 || usage / quota > 0.9), usage, quota };
}
