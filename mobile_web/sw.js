// The field app's service worker: the shell from a versioned cache (cache
// first), the API always from the network. Stands alone: no imports.
const VERSION = '__VERSION__';
const CACHE = `kiemtra-${VERSION}`;
const ASSETS = __ASSETS__;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith('kiemtra-') && n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/healthz') return; // network only
  if (event.request.cache === 'reload') return; // the page refreshing its copy (language switch)
  const path = url.pathname === '/app/' ? '/app' : url.pathname;
  if (!ASSETS.includes(path)) return;
  event.respondWith(caches.match(path).then((hit) => hit || fetch(event.request)));
});
