// The outbox: check-ins and submissions wait here until the server confirms
// them. Each carries client UUIDs, so a re-send never duplicates anything.
// Order per inspection: check-in, submission, then each photo; local data is
// deleted only when GET /api/inspections/<uuid> shows the server holds it all.
import { getJSON, postForm, postJSON, reachable } from './connection.js';
import { t } from './i18n.js';
import * as store from './store.js';

const MAX_DELAY = 5 * 60 * 1000;
// Check-ins first, then withdrawn photos (a resubmission is judged without them), then submissions.
const ORDER = (r) => ({ checkin: 0, withdraw: 1 }[r.kind] ?? 2);
let timer = null;
let running = false;
// A wake-up (the network came back) during a run: that run may still be putting its
// records off, so the wake-up is applied again once it ends instead of being lost.
let wokenDuringRun = false;

const changed = () => window.dispatchEvent(new CustomEvent('outbox-change'));
const delay = (attempts) => Math.min(MAX_DELAY, 5000 * 2 ** attempts);

export async function enqueue(record) {
  await store.put('outbox', { attempts: 0, next_at: 0, state: 'queued', created_at: Date.now(), ...record });
  changed();
  kick();
}

export const records = () => store.all('outbox');

// Retry now (the app regained focus or the network came back).
export async function retryNow() {
  if (running) { wokenDuringRun = true; return; }
  for (const r of await records()) {
    if (r.state === 'waiting') await store.put('outbox', { ...r, next_at: 0, state: 'queued' });
  }
  kick();
}

export function kick() {
  clearTimeout(timer);
  timer = setTimeout(run, 0);
}

async function run() {
  if (running) return;
  running = true;
  try {
    const due = (await records()).filter((r) => ['queued', 'waiting', 'sending'].includes(r.state) && r.next_at <= Date.now())
      .sort((a, b) => ORDER(a) - ORDER(b) || a.created_at - b.created_at);
    if (due.length && !(await reachable())) {
      for (const r of due) await backoff(r, null);
    } else {
      for (const r of due) await send(r);
    }
  } finally {
    running = false;
    changed();
    if (wokenDuringRun) {
      wokenDuringRun = false;
      retryNow();
    } else {
      schedule();
    }
  }
}

async function schedule() {
  const pending = (await records()).filter((r) => ['queued', 'waiting'].includes(r.state));
  if (!pending.length) return;
  const next = Math.min(...pending.map((r) => r.next_at));
  clearTimeout(timer);
  timer = setTimeout(run, Math.max(0, next - Date.now()));
}

async function backoff(r, error) {
  await store.put('outbox', { ...r, state: 'waiting', attempts: r.attempts + 1, next_at: Date.now() + delay(r.attempts), error });
}

// Why the server refused: its own message (in the inspector's language), or its status code.
const refusal = (res) => res.data?.message || t('Refused by the server (error %(status)s).', { status: res.status });

const fail = (r, state, res) => store.put('outbox', { ...r, state, error: res.data?.message || refusal(res),
  errors: res.data?.errors || null });

async function send(r) {
  await store.put('outbox', { ...r, state: 'sending' });
  if (r.kind === 'checkin') {
    const res = await postJSON(`/api/inspections/${r.inspection}/checkin`, r.body);
    if (res.ok || res.status === 409) return store.del('outbox', r.id); // 409: already past check-in
    return res.status === 0 || res.status >= 500 ? backoff(r, null) : fail(r, 'rejected', res);
  }
  if (r.kind === 'withdraw') {
    const res = await postJSON(`/api/evidence/${r.evidence}/withdrawal`);
    if (res.status === 0 || res.status >= 500) return backoff(r, null);
    if (res.status === 401) return backoff(r, 'signin');
    // Refused (no longer returned to the team, not a photo): the photo stays as the server holds it.
    if (!res.ok) return store.del('outbox', r.id);
    const insp = await store.get('inspections', r.inspection);
    const held = insp?.evidence?.find((e) => e.uuid === r.evidence);
    if (held) { held.withdrawn_at = res.data.withdrawn_at; await store.put('inspections', insp); }
    await store.del('outbox', r.id);
    // The screen showing the photo says it is withdrawn now, not only once reopened.
    window.dispatchEvent(new CustomEvent('photo-withdrawn', { detail: {
      inspection: r.inspection, evidence: r.evidence, withdrawn_at: res.data.withdrawn_at } }));
    return;
  }
  if (!r.submitted) {
    // A withdrawal still on its way goes first: the resubmission must not count that photo.
    if ((await records()).some((w) => w.kind === 'withdraw' && w.inspection === r.inspection)) return backoff(r, null);
    const res = await postJSON(`/api/inspections/${r.inspection}/submission`, r.body);
    if (res.status === 0 || res.status >= 500) return backoff(r, null);
    if (res.status === 401) return backoff(r, 'signin');
    if (!res.ok) return fail(r, res.status === 409 ? 'conflict' : 'rejected', res);
    r = { ...r, submitted: true, attempts: 0 };
    await store.put('outbox', { ...r, state: 'sending' });
    changed();
  }
  for (const photo of await store.byInspection(r.inspection)) {
    if (photo.state === 'sent' || photo.state === 'conflict' || photo.state === 'rejected') continue;
    const form = new FormData();
    form.append('uuid', photo.uuid);
    form.append('inspection_uuid', photo.inspection_uuid);
    form.append('kind', photo.kind);
    for (const k of ['item_key', 'finding_uuid', 'taken_at', 'lat', 'lon']) if (photo[k] != null) form.append(k, photo[k]);
    form.append('file', photo.blob, `${photo.uuid}.${photo.kind === 'signature' ? 'png' : 'jpg'}`);
    const res = await postForm('/api/evidence', form);
    if (res.status === 0 || res.status >= 500 || res.status === 401) return backoff(r, null);
    const state = res.ok ? 'sent' : res.status === 409 ? 'conflict' : 'rejected';
    await store.put('photos', { ...photo, state, error: res.ok ? null : res.data?.message || refusal(res) });
    changed();
  }
  return confirm(r);
}

// Delete local data only once the server holds the inspection and every photo.
async function confirm(r) {
  const res = await getJSON(`/api/inspections/${r.inspection}`);
  if (!res.ok) return backoff(r, null);
  const photos = await store.byInspection(r.inspection);
  const held = new Set(res.data.evidence_uuids);
  const problems = photos.filter((p) => p.state === 'conflict' || p.state === 'rejected');
  if (photos.some((p) => p.state === 'sent' && !held.has(p.uuid))) return backoff(r, null);
  if (problems.length) return store.put('outbox', { ...r, state: 'photo_problem' });
  await store.put('inspections', res.data);
  for (const p of photos) await store.del('photos', p.uuid);
  await store.del('drafts', r.inspection);
  await store.put('outbox', { id: r.id, kind: 'done', inspection: r.inspection, state: 'done', created_at: r.created_at,
    confirmed_at: Date.now() });
}

export function start() {
  const wake = () => { if (document.visibilityState !== 'hidden') retryNow(); };
  document.addEventListener('visibilitychange', wake);
  window.addEventListener('focus', wake);
  window.addEventListener('online', wake);
  kick();
}

export async function forget(id) {
  await store.del('outbox', id);
  changed();
}
