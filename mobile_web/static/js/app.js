// The page module: start-up, routing, keeping the phone's copy fresh.
import { $ } from './dom.js';
import * as drafts from './draft.js';
import { loadMessages, t } from './i18n.js';
import * as outbox from './outbox.js';
import { getJSON, reachable } from './connection.js';
import * as store from './store.js';
import { renderElsewhere, renderHome } from './view-home.js';
import { renderOverview, renderSection } from './view-inspection.js';
import { renderFindings, renderMinutes, renderSubmit, waitingText } from './view-record.js';

const OPEN = ['planned', 'in_progress', 'returned'];
const FIELD_ROLES = ['inspector', 'lead']; // who conducts inspections; the others have the website
let online = true;
let storageLow = false;

async function refresh() {
  online = await reachable();
  if (!online) return;
  const me = await getJSON('/api/me');
  if (me.status === 401) { location.href = '/login?next=/app'; return; }
  await store.put('meta', { key: 'me', value: me.data });
  const list = await getJSON('/api/inspections');
  if (!list.ok) return;
  const keep = list.data.filter((i) => i.status !== 'cancelled');
  const before = (await store.get('meta', 'list'))?.value || [];
  await tellWhatLeft(before, keep, list.data);
  await store.put('meta', { key: 'list', value: keep.map((i) => i.uuid) });
  // Fetched again: the open inspections (team-mates add photos and comments),
  // and the others when new here or changed since (a return, a revision, a
  // conclusion), not a team's whole history at every start.
  await Promise.all(keep.map(async (i) => {
    const mine = await store.get('inspections', i.uuid);
    if (mine && !OPEN.includes(i.status) && mine.updated_at === i.updated_at) return;
    const detail = await getJSON(`/api/inspections/${i.uuid}`);
    if (detail.ok) await store.put('inspections', detail.data);
  }));
}

// An inspection that leaves the list (the lead cancelled it, gave it to another team or
// withdrew its plan) is not dropped silently: the home screen says which, and why, until
// the inspector has read it. Its copy, draft and photos stay on the phone.
async function tellWhatLeft(before, keep, rows) {
  const kept = new Set(keep.map((i) => i.uuid));
  const byUuid = new Map(rows.map((i) => [i.uuid, i]));
  const pending = new Set((await outbox.records()).filter((r) => r.state !== 'done').map((r) => r.inspection));
  const told = (await store.get('meta', 'notices'))?.value || [];
  const fresh = [];
  for (const uuid of before) {
    if (kept.has(uuid)) continue;
    const mine = await store.get('inspections', uuid);
    const row = byUuid.get(uuid);
    const cancelled = row?.status === 'cancelled';
    if (mine && cancelled) await store.put('inspections', { ...mine, status: 'cancelled', cancel_reason: row.cancel_reason });
    fresh.push({ uuid, unit: row?.unit_name || mine?.unit_name || '', why: cancelled ? 'cancelled' : 'gone',
      reason: row?.cancel_reason || '', local: pending.has(uuid) || Boolean(await store.get('drafts', uuid)) });
  }
  if (!fresh.length) return;
  const uuids = new Set(fresh.map((n) => n.uuid));
  await store.put('meta', { key: 'notices', value: [...told.filter((n) => !uuids.has(n.uuid)), ...fresh] });
}

async function dismissNotices() {
  await store.put('meta', { key: 'notices', value: [] });
  route();
}

async function localStates(list) {
  const states = {};
  const reopened = new Set(list.filter((i) => OPEN.includes(i.status)).map((i) => i.uuid));
  for (const r of await outbox.records()) {
    // "Sent" no longer applies once the lead has returned the inspection.
    if (['submit', 'done'].includes(r.kind) && !(r.state === 'done' && reopened.has(r.inspection))) states[r.inspection] = r.state;
  }
  for (const d of await store.all('drafts')) states[d.uuid] ??= 'draft';
  return states;
}

async function inspectionCtx(uuid) {
  const insp = await store.get('inspections', uuid);
  if (!insp) return null;
  const record = await store.get('outbox', `submit:${uuid}`);
  const records = (await outbox.records()).filter((r) => r.inspection === uuid);
  const ctx = {
    insp, record, records, draft: await drafts.loadDraft(insp), photos: await store.byInspection(uuid),
    editable: drafts.editable(insp, record), rerender: route,
    // Photos already sent that the inspector withdrew; the server hears of it before the resubmission.
    withdrawing: new Set(records.filter((r) => r.kind === 'withdraw').map((r) => r.evidence)),
  };
  ctx.localState = record && !(record.state === 'done' && OPEN.includes(insp.status)) ? record.state
    : (await store.get('drafts', uuid)) ? 'draft' : null;
  if (record?.state === 'done' && OPEN.includes(insp.status)) ctx.record = null;
  ctx.photoCount = (key) => ctx.photos.filter((p) => p.kind === 'photo' && p.item_key === key && !p.finding_uuid).length
    + (insp.evidence || []).filter((e) => e.kind === 'photo' && e.item_key === key && !e.finding_uuid
      && !e.withdrawn_at && !ctx.withdrawing.has(e.uuid)).length;
  return ctx;
}

let routing = 0;

async function route() {
  const turn = ++routing; // a later call wins: a slow one must not draw over it
  const [path] = location.hash.slice(1).split(/[?#]/);
  const parts = path.split('/').filter(Boolean);
  document.body.dataset.screen = parts[2] || (parts[0] === 'i' ? 'overview' : 'home');
  if (parts[0] !== 'i') {
    const ids = (await store.get('meta', 'list'))?.value || [];
    const list = (await Promise.all(ids.map((id) => store.get('inspections', id)))).filter(Boolean);
    const me = (await store.get('meta', 'me'))?.value;
    const states = await localStates(list);
    const notices = (await store.get('meta', 'notices'))?.value || [];
    const records = await outbox.records();
    const photos = await store.all('photos');
    const waiting = Object.fromEntries(list.map((i) => [i.uuid, waitingText(
      records.filter((r) => r.inspection === i.uuid), photos.filter((p) => p.inspection_uuid === i.uuid))]));
    if (turn !== routing) return;
    if (me && !FIELD_ROLES.includes(me.role)) return renderElsewhere(me);
    return renderHome({ list, states, waiting, online, storageLow, me, notices, dismissNotices });
  }
  const ctx = await inspectionCtx(parts[1]);
  if (turn !== routing) return;
  if (!ctx) { location.hash = '#/'; return; }
  const view = { s: () => renderSection(ctx, parts[3]), findings: () => renderFindings(ctx), minutes: () => renderMinutes(ctx),
    submit: () => renderSubmit(ctx) }[parts[2]];
  return view ? view() : renderOverview(ctx);
}

// Following a link draws a new screen in place of the old: focus would fall back to
// <body>, so a keyboard or screen-reader user goes on from the new screen's heading.
async function navigate() {
  const turn = routing + 1;
  await route();
  if (turn !== routing) return; // a later navigation draws (and focuses) its own screen
  const heading = $('#view h1');
  if (!heading) return;
  heading.tabIndex = -1;
  // An item linked to by its anchor (#item-…) stays scrolled into view.
  heading.focus({ preventScroll: Boolean(location.hash.split('#')[2]) });
}

async function switchLanguage(code) {
  const body = new URLSearchParams({ next: '/app' });
  try {
    await fetch(`/lang/${code}`, { method: 'POST', body, credentials: 'same-origin' });
    // The shell and catalogue are cached per language: fetch them again.
    for (const name of await caches.keys()) {
      const fresh = ['/app', '/app/messages.json', '/app/manifest.webmanifest'].map((u) => new Request(u, { cache: 'reload' }));
      if (name.startsWith('kiemtra-')) await (await caches.open(name)).addAll(fresh);
    }
  } catch {
    alert(t('Connect to the network to change the language.'));
    return;
  }
  location.reload();
}

async function start() {
  await loadMessages();
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
  const lang = $('#lang');
  lang.addEventListener('click', () => switchLanguage(lang.dataset.code));
  window.addEventListener('hashchange', navigate);
  window.addEventListener('outbox-change', () => {
    const screen = document.body.dataset.screen;
    if (['home', 'submit', 'overview'].includes(screen)) route();
  });
  await route();
  storageLow = (await store.protectStorage()).low;
  await refresh();
  await route();
  outbox.start();
  document.body.dataset.ready = '1';
}

// The message comes with the page, in its language, since the catalogue itself may be
// what failed to load; the error's own text is kept under "Details" for the administrator.
start().catch((e) => {
  const shown = $('#start-failed').content.cloneNode(true);
  shown.querySelector('.error-detail').textContent = String(e);
  $('#view').replaceChildren(shown);
});
