// Drafts: what the inspector entered, saved to IndexedDB on every change.
import { hiddenItems } from './form.js';
import * as store from './store.js';

const OPEN = ['planned', 'in_progress', 'returned'];

// The draft of an inspection, started from what the server holds (a returned inspection's content).
export async function loadDraft(insp) {
  const existing = await store.get('drafts', insp.uuid);
  if (existing) return existing;
  const sig = insp.signatures || {};
  return {
    uuid: insp.uuid,
    answers: Object.fromEntries((insp.answers || []).map((a) => [a.item_key, { value: a.value, na: a.na, note: a.note }])),
    findings: (insp.findings || []).map(({ uuid, item_key, severity, description }) => ({ uuid, item_key, severity, description })),
    attendees: (insp.attendees || []).map(({ side, name, position }) => ({ side, name, position })),
    signatures: { lead: sig.lead || null, secretary: sig.secretary || null, unit: sig.unit || null },
    started_at: insp.started_at,
    ended_at: insp.ended_at,
    checkin: null,
    reason: '',
    base_status: insp.status,
  };
}

export async function saveDraft(draft) {
  draft.updated_at = new Date().toISOString();
  await store.put('drafts', draft);
}

export const editable = (insp, record) => OPEN.includes(insp.status) && !(record && record.kind === 'submit');

export async function addPhoto(inspUuid, prepared, { kind = 'photo', item_key = null, finding_uuid = null } = {}) {
  const photo = {
    uuid: crypto.randomUUID(), inspection_uuid: inspUuid, kind, item_key, finding_uuid,
    blob: prepared.blob, taken_at: prepared.taken_at || null, lat: prepared.lat ?? null, lon: prepared.lon ?? null,
    state: 'local', created_at: new Date().toISOString(),
  };
  await store.put('photos', photo);
  return photo;
}

export const removePhoto = (uuid) => store.del('photos', uuid);

// The submission the outbox will send; `photos` announce what follows it, and
// where each belongs (the server checks the items' photo rules on them).
export function submission(insp, draft, photos) {
  const hidden = hiddenItems(insp.checklist, draft.answers);
  const answers = Object.entries(draft.answers)
    .filter(([key, a]) => !hidden.has(key) && (a.na || (a.value !== null && a.value !== '' && a.value !== undefined) || a.note))
    .map(([item_key, a]) => ({ item_key, value: a.na ? null : a.value ?? null, na: !!a.na, note: a.note || null }));
  const sig = draft.signatures || {};
  return {
    submission_uuid: crypto.randomUUID(),
    reason: draft.reason || null,
    started_at: draft.started_at || null,
    ended_at: draft.ended_at || null,
    answers,
    findings: draft.findings,
    attendees: draft.attendees.filter((a) => a.name && a.name.trim()),
    signatures: { lead: sig.lead || null, secretary: sig.secretary || null, unit: sig.unit || null },
    photos: photos.map(({ uuid, kind, item_key, finding_uuid }) => ({ uuid, kind, item_key, finding_uuid })),
  };
}

const dataUrl = (blob) => new Promise((resolve) => {
  const r = new FileReader();
  r.onload = () => resolve(r.result);
  r.readAsDataURL(blob);
});

// The last resort: the queued inspection with its photos, as a JSON file.
export async function exportFile(uuid) {
  const [draft, record, photos] = await Promise.all([store.get('drafts', uuid), store.get('outbox', `submit:${uuid}`),
    store.byInspection(uuid)]);
  const out = { exported_at: new Date().toISOString(), inspection_uuid: uuid, draft, submission: record?.body || null,
    photos: await Promise.all(photos.map(async ({ blob, ...p }) => ({ ...p, data_url: await dataUrl(blob) }))) };
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([JSON.stringify(out)], { type: 'application/json' }));
  a.download = `kiemtra-${uuid}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
