// HTTP to the server. Reachability is a real request, never navigator.onLine.
export async function request(method, url, body, { form = false } = {}) {
  const init = { method, credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.body = form ? body : JSON.stringify(body);
    if (!form) init.headers['Content-Type'] = 'application/json';
  }
  let r;
  try {
    r = await fetch(url, init);
  } catch {
    return { status: 0, ok: false, data: null }; // no network
  }
  let data = null;
  try { data = await r.json(); } catch { /* not JSON */ }
  return { status: r.status, ok: r.ok, data };
}

export const getJSON = (url) => request('GET', url);
export const postJSON = (url, body) => request('POST', url, body);
export const postForm = (url, form) => request('POST', url, form, { form: true });

export async function reachable() {
  try {
    const r = await fetch('/healthz', { cache: 'no-store' });
    return r.ok;
  } catch {
    return false;
  }
}
