// Photos, findings, the minutes (attendees, times, signatures) and submitting.
import { ask, h, fmtTime, fromLocalInput, mount, toLocalInput } from './dom.js';
import * as drafts from './draft.js';
import { blank, missing } from './form.js';
import { t, tx } from './i18n.js';
import * as outbox from './outbox.js';
import { preparePhoto } from './photo.js';
import { signaturePad } from './signature.js';

const SEVERITIES = ['minor', 'major', 'critical'];
const back = (ctx) => h('a', { class: 'back', href: `#/i/${ctx.insp.uuid}`, text: `← ${ctx.insp.unit_name}` });

// Thumbnails of the photos of an item or a finding, with camera and gallery buttons
// whose names say what the photo is of (`subject`: the item's text, the finding).
export function photoStrip(ctx, where, onChange = () => {}, subject = '') {
  const strip = h('div', { class: 'thumbs' });
  const matches = (p) => (where.finding_uuid ? p.finding_uuid === where.finding_uuid : p.item_key === where.item_key && !p.finding_uuid);
  const draw = () => {
    const local = ctx.photos.filter((p) => p.kind === 'photo' && matches(p)).map((p) => h('figure', { class: `thumb photo-${p.state}` },
      h('img', { src: URL.createObjectURL(p.blob), alt: t('Photo') }),
      ctx.editable && p.state === 'local' ? h('button', { type: 'button', class: 'x', 'aria-label': t('Remove photo'), text: '×', onclick: async () => {
        await drafts.removePhoto(p.uuid);
        ctx.photos.splice(ctx.photos.indexOf(p), 1);
        draw();
        onChange();
      } }) : null));
    const held = (ctx.insp.evidence || []).filter((e) => e.kind === 'photo' && matches(e)).map((e) => {
      const gone = e.withdrawn_at ? t('Withdrawn') : ctx.withdrawing.has(e.uuid) ? t('To be withdrawn') : null;
      // A photo the lead has seen is withdrawn, never deleted: while the inspection is back with the team.
      const mayWithdraw = !gone && ctx.editable && ctx.insp.status === 'returned';
      return h('figure', { class: `thumb photo-sent${gone ? ' withdrawn' : ''}`, 'data-uuid': e.uuid },
        h('img', { src: e.urls.thumb, alt: gone ? `${t('Photo')} (${gone})` : t('Photo') }),
        gone ? h('figcaption', { text: gone }) : null,
        mayWithdraw ? h('button', { type: 'button', class: 'x', name: 'withdraw', 'aria-label': t('Withdraw photo'), text: '×', onclick: async () => {
          const sure = await ask({ title: t('Withdraw this photo?'), note: `${t('It no longer counts as evidence once you resubmit.')} ${
            t('The lead still sees it in the history, marked withdrawn.')}`, ok: t('Withdraw'), cancel: t('Keep'), danger: true });
          if (!sure) return;
          ctx.withdrawing.add(e.uuid);
          await outbox.enqueue({ id: `withdraw:${e.uuid}`, kind: 'withdraw', inspection: ctx.insp.uuid, evidence: e.uuid });
          draw();
          onChange();
        } }) : null);
    });
    strip.replaceChildren(...held, ...local);
  };
  // A withdrawal the outbox has delivered: "to be withdrawn" becomes "withdrawn" here and now
  // (only this strip is redrawn: the rest of the screen may hold what is being typed).
  const delivered = (event) => {
    if (!strip.isConnected) { window.removeEventListener('photo-withdrawn', delivered); return; }
    const { inspection, evidence, withdrawn_at: at } = event.detail;
    const held = inspection === ctx.insp.uuid && (ctx.insp.evidence || []).find((e) => e.uuid === evidence);
    if (!held) return;
    held.withdrawn_at = at;
    ctx.withdrawing.delete(evidence);
    if (matches(held)) draw();
  };
  window.addEventListener('photo-withdrawn', delivered);
  const add = async (e) => {
    for (const file of e.target.files) {
      let prepared;
      try {
        prepared = await preparePhoto(file);
      } catch {
        alert(t('This photo could not be read. Take it again, or choose a JPEG.'));
        continue;
      }
      ctx.photos.push(await drafts.addPhoto(ctx.insp.uuid, prepared, where));
    }
    e.target.value = '';
    draw();
    onChange();
  };
  draw();
  if (!ctx.editable) return strip;
  const picker = (label, attrs) => h('label', { class: 'button file' }, label,
    h('input', { type: 'file', accept: 'image/*', class: 'visually-hidden', onchange: add,
      'aria-label': subject ? t('%(what)s: %(subject)s', { what: label, subject }) : null, ...attrs }));
  return h('div', { class: 'photos' }, strip, h('div', { class: 'row' },
    picker(t('Camera'), { capture: 'environment', name: 'camera' }), picker(t('Gallery'), { multiple: true, name: 'gallery' })));
}

export function renderFindings(ctx) {
  const { insp, draft } = ctx;
  const save = () => drafts.saveDraft(draft);
  const itemOptions = [h('option', { value: '', text: t('Not tied to an item') })];
  for (const s of insp.checklist.sections) for (const i of s.items) itemOptions.push(h('option', { value: i.key, text: tx(i.text) }));
  const card = (f, n) => h('article', { class: 'card finding', 'data-uuid': f.uuid, 'aria-labelledby': `finding-${f.uuid}` },
    h('h2', { id: `finding-${f.uuid}`, text: t('Finding %(n)s', { n: n + 1 }) }),
    h('label', {}, t('Checklist item'), h('select', { name: 'item_key', disabled: !ctx.editable, onchange: (e) => { f.item_key = e.target.value || null; save(); } },
      itemOptions.map((o) => { const c = o.cloneNode(true); c.selected = (f.item_key || '') === o.value; return c; }))),
    h('fieldset', { class: 'segs' }, h('legend', { text: t('Severity') }), SEVERITIES.map((s) => h('label', { class: 'seg' },
      h('input', { type: 'radio', name: `sev-${f.uuid}`, value: s, checked: f.severity === s, disabled: !ctx.editable,
        onchange: () => { f.severity = s; save(); } }), h('span', { text: t(`severity.${s}`) })))),
    h('label', {}, t('Description'), h('textarea', { name: 'description', rows: 3, disabled: !ctx.editable, text: f.description,
      oninput: (e) => { f.description = e.target.value; save(); } })),
    photoStrip(ctx, { finding_uuid: f.uuid }, () => {}, t('Finding %(n)s', { n: n + 1 })),
    ctx.editable ? h('button', { type: 'button', class: 'danger', text: t('Delete finding'), onclick: async () => {
      for (const p of ctx.photos.filter((x) => x.finding_uuid === f.uuid)) await drafts.removePhoto(p.uuid);
      draft.findings.splice(draft.findings.indexOf(f), 1);
      await save();
      ctx.rerender();
    } }) : null);
  const preset = new URLSearchParams(location.hash.split('?')[1] || '').get('item');
  mount(h('div', { class: 'screen' }, back(ctx), h('h1', { text: t('Findings') }),
    draft.findings.length ? null : h('p', { class: 'empty', text: t('No findings yet.') }),
    ...draft.findings.map((f, n) => card(f, n)),
    ctx.editable ? h('button', { type: 'button', class: 'primary', name: 'add-finding', text: t('Add a finding'), onclick: async () => {
      const item = preset && insp.checklist.sections.flatMap((s) => s.items).find((i) => i.key === preset);
      draft.findings.push({ uuid: crypto.randomUUID(), item_key: item ? item.key : null, severity: item?.finding?.severity || 'minor', description: '' });
      await save();
      ctx.rerender();
    } }) : null));
}

function signatureBlock(ctx, side) {
  const { draft } = ctx;
  draft.signatures ||= {};
  const sig = draft.signatures[side] || {};
  const save = () => drafts.saveDraft(draft);
  const name = h('input', { name: `sign-${side}-name`, value: sig.name || '', disabled: !ctx.editable, autocomplete: 'off',
    oninput: (e) => { draft.signatures[side] = { ...(draft.signatures[side] || {}), name: e.target.value }; save(); } });
  const title = { lead: t('Team lead'), secretary: t('Secretary') }[side] || t("Unit's representative");
  const local = ctx.photos.find((p) => p.uuid === sig.evidence_uuid);
  const held = (ctx.insp.evidence || []).find((e) => e.uuid === sig.evidence_uuid);
  const box = h('div', { class: 'sign-box' });
  const showPad = () => {
    const canvas = h('canvas', { class: 'pad', id: `pad-${side}`, role: 'img', 'aria-label': t('Sign here') });
    box.replaceChildren(canvas);
    const pad = signaturePad(canvas);
    box.append(h('div', { class: 'row' },
      h('button', { type: 'button', text: t('Clear'), onclick: () => pad.clear() }),
      h('button', { type: 'button', class: 'primary-inline', name: `save-sign-${side}`, text: t('Save signature'), onclick: async () => {
        if (pad.isEmpty()) return;
        if (local) { await drafts.removePhoto(local.uuid); ctx.photos.splice(ctx.photos.indexOf(local), 1); }
        const photo = await drafts.addPhoto(ctx.insp.uuid, { blob: await pad.toBlob() }, { kind: 'signature' });
        ctx.photos.push(photo);
        draft.signatures[side] = { name: name.value, evidence_uuid: photo.uuid };
        await save();
        ctx.rerender();
      } })));
  };
  if (sig.typed) {
    box.append(h('p', { class: 'typed-sign', role: 'status', text: t('The full name typed above confirms the minutes in place of a drawn signature.') }));
  } else if (sig.evidence_uuid && (local || held) && !sig.refused) {
    box.append(h('img', { class: 'signature', alt: title, src: local ? URL.createObjectURL(local.blob) : held.urls.display }),
      ctx.editable ? h('button', { type: 'button', text: t('Sign again'), onclick: showPad }) : null);
  } else if (ctx.editable && !sig.refused) showPad();
  let refusal = null;
  if (side === 'lead') {
    // Drawing needs a finger or a pointer: the lead may confirm by typing their full
    // name instead, which the server accepts as the lead's signature (completeness.py).
    refusal = h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'sign-lead-typed', checked: !!sig.typed, disabled: !ctx.editable,
      onchange: async (e) => {
        if (e.target.checked && local) { await drafts.removePhoto(local.uuid); ctx.photos.splice(ctx.photos.indexOf(local), 1); }
        draft.signatures.lead = e.target.checked ? { name: name.value, typed: true } : { name: name.value };
        await save();
        ctx.rerender();
      } }), t('Confirm by typing my full name instead of signing'));
  }
  if (side === 'unit') {
    const reason = h('textarea', { name: 'refusal-reason', rows: 2, disabled: !ctx.editable, text: sig.reason || '', placeholder: t('Reason for refusing'),
      oninput: (e) => { draft.signatures.unit = { ...draft.signatures.unit, reason: e.target.value }; save(); } });
    reason.hidden = !sig.refused;
    refusal = h('div', {}, h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'refused', checked: !!sig.refused, disabled: !ctx.editable,
      onchange: async (e) => {
        draft.signatures.unit = e.target.checked ? { name: name.value, refused: true, reason: reason.value } : { name: name.value };
        await save();
        ctx.rerender();
      } }), t('The representative refused to sign')), reason);
  }
  return h('section', { class: 'card' }, h('h2', { text: title }), h('label', {}, t('Full name'), name), box, refusal);
}

export function renderMinutes(ctx) {
  const { draft } = ctx;
  const save = () => drafts.saveDraft(draft);
  // Labels stay above the fields: a placeholder vanishes as soon as the field is filled.
  const row = (a) => h('li', { class: 'attendee card' },
    h('label', {}, t('Side'), h('select', { name: 'side', disabled: !ctx.editable, onchange: (e) => { a.side = e.target.value; save(); } },
      ['team', 'unit'].map((s) => h('option', { value: s, selected: a.side === s, text: t(`side.${s}`) })))),
    h('label', {}, t('Full name'), h('input', { name: 'attendee-name', value: a.name || '', autocomplete: 'off', disabled: !ctx.editable,
      oninput: (e) => { a.name = e.target.value; save(); } })),
    h('label', {}, t('Job title'), h('input', { name: 'attendee-position', value: a.position || '', autocomplete: 'off', disabled: !ctx.editable,
      oninput: (e) => { a.position = e.target.value; save(); } })),
    ctx.editable ? h('button', { type: 'button', class: 'danger', name: 'remove-attendee', text: t('Remove'), onclick: async () => {
      // A blank row goes at once; a named person is asked about first.
      if (!blank(a.name) && !(await ask({ title: t('Remove %(name)s from the attendees?', { name: a.name.trim() }),
        ok: t('Remove'), cancel: t('Keep'), danger: true }))) return;
      draft.attendees.splice(draft.attendees.indexOf(a), 1); await save(); ctx.rerender(); } }) : null);
  const add = (side) => h('button', { type: 'button', name: `add-${side}`, text: side === 'team' ? t('Add team member') : t('Add unit representative'),
    onclick: async () => { draft.attendees.push({ side, name: '', position: '' }); await save(); ctx.rerender(); } });
  const time = (field, label) => {
    const input = h('input', { type: 'datetime-local', name: field, value: toLocalInput(draft[field]), disabled: !ctx.editable,
      onchange: (e) => { draft[field] = fromLocalInput(e.target.value); save(); } });
    return h('label', {}, label, h('div', { class: 'row nowrap' }, input, ctx.editable ? h('button', { type: 'button', name: `now-${field}`, text: t('Now'), onclick: () => {
      draft[field] = new Date().toISOString(); input.value = toLocalInput(draft[field]);
      input.dispatchEvent(new Event('input')); save(); } }) : null)); // the date shown beside it follows
  };
  mount(h('div', { class: 'screen' }, back(ctx), h('h1', { text: t('Attendees, times and signatures') }),
    h('h2', { text: t('Attendees') }), h('ul', { class: 'list' }, draft.attendees.map(row)),
    ctx.editable ? h('div', { class: 'row' }, add('team'), add('unit')) : null,
    h('h2', { text: t('Time') }), time('started_at', t('Start')), time('ended_at', t('End')),
    h('h2', { text: t('Signatures') }), signatureBlock(ctx, 'lead'), signatureBlock(ctx, 'secretary'),
    signatureBlock(ctx, 'unit')));
}

const counted = (n, one, many) => (n === 1 ? t(one) : t(many, { n }));

// What the outbox still holds for one inspection, in words: "the answers, 3 photos, 2 signatures".
export function waitingText(records, photos) {
  const open = (r) => ['queued', 'waiting', 'sending'].includes(r.state);
  const submit = records.find((r) => r.kind === 'submit' && open(r));
  const parts = [];
  if (records.some((r) => r.kind === 'checkin' && open(r))) parts.push(t('the check-in'));
  const withdrawals = records.filter((r) => r.kind === 'withdraw' && open(r)).length;
  if (withdrawals) parts.push(counted(withdrawals, '1 photo withdrawal', '%(n)s photo withdrawals'));
  if (submit && !submit.submitted) parts.push(t('the answers'));
  if (submit) {
    const unsent = photos.filter((p) => p.state === 'local');
    const pics = unsent.filter((p) => p.kind === 'photo').length;
    const sigs = unsent.length - pics;
    if (pics) parts.push(counted(pics, '1 photo', '%(n)s photos'));
    if (sigs) parts.push(counted(sigs, '1 signature', '%(n)s signatures'));
  }
  return parts.length ? t('Waiting to send: %(what)s', { what: parts.join(', ') }) : null;
}

function syncPanel(ctx) {
  const r = ctx.record;
  if (!r) return null;
  const waiting = waitingText(ctx.records, ctx.photos);
  const photos = ctx.photos.map((p) => h('li', { class: `photo-${p.state}` },
    `${p.kind === 'signature' ? t('Signature') : t('Photo')} · ${t(`photo.${p.state}`)}${p.error ? ` — ${p.error}` : ''}`));
  // The server names an item by its key: the inspector knows it by its question.
  const items = ctx.insp.checklist.sections.flatMap((s) => s.items);
  const errors = (r.errors?.items || []).map((e) => h('li', {
    text: [tx(items.find((i) => i.key === e.item_key)?.text), e.message].filter(Boolean).join(': ') }));
  return h('section', { class: `card sync state-${r.state}`, role: 'status' }, h('h2', { text: t(`local.${r.state}`) }),
    waiting ? h('p', { class: 'waiting', text: waiting }) : null,
    r.error && r.error !== 'signin' ? h('p', { class: 'error', text: r.error }) : null,
    r.error === 'signin' ? h('p', { class: 'warn' }, h('a', { href: '/login?next=/app', text: t('Sign in again to send.') })) : null,
    errors.length ? h('ul', {}, errors) : null, photos.length ? h('ul', { class: 'photo-states' }, photos) : null,
    r.state === 'waiting' ? h('button', { type: 'button', name: 'retry', text: t('Try sending now'), onclick: () => outbox.retryNow() }) : null,
    r.state !== 'done' ? h('button', { type: 'button', name: 'export', text: t('Save to a file'), onclick: () => drafts.exportFile(ctx.insp.uuid) }) : null,
    r.state === 'rejected' || r.state === 'conflict' ? h('button', { type: 'button', name: 'edit-again', text: t('Edit again'), onclick: async () => {
      await outbox.forget(r.id); ctx.rerender(); } }) : null);
}

// What a submission will carry, as lines for the confirmation.
function summary(ctx, body) {
  const { insp, draft } = ctx;
  const sigs = ['lead', 'secretary', 'unit'].filter((side) => (draft.signatures?.[side]?.evidence_uuid || draft.signatures?.[side]?.typed)
    && !draft.signatures[side].refused).length;
  const photos = ctx.photos.filter((p) => p.kind === 'photo').length;
  const held = (insp.evidence || []).filter((e) => e.kind === 'photo' && !e.withdrawn_at && !ctx.withdrawing.has(e.uuid)).length;
  const lines = [
    t('Answers: %(n)s', { n: body.answers.length }),
    t('Findings: %(n)s', { n: body.findings.length }),
    held ? t('Photos: %(n)s new, %(held)s already sent', { n: photos, held }) : t('Photos: %(n)s', { n: photos }),
    t('Attendees: %(n)s', { n: body.attendees.length }),
    t('Signatures: %(n)s', { n: sigs }),
  ];
  if (draft.signatures?.unit?.refused) lines.push(t('The representative refused to sign'));
  if (ctx.withdrawing.size) lines.push(counted(ctx.withdrawing.size, '1 photo withdrawn', '%(n)s photos withdrawn'));
  if (!draft.checkin && !insp.checked_in_at) lines.push({ text: t('Not checked in on site'), warn: true });
  if (body.reason) lines.push(t('Reason for the changes: %(reason)s', { reason: body.reason }));
  return lines;
}

export function renderSubmit(ctx) {
  const { insp, draft } = ctx;
  const all = ctx.editable ? missing(insp, draft, ctx.photoCount) : [];
  const todo = all.filter((m) => !m.warn);
  const warnings = all.filter((m) => m.warn);
  const resubmitting = insp.status === 'returned' && ctx.editable;
  // Why the button is greyed, beside it: a resubmission says what changed.
  const hint = h('p', { class: 'hint', id: 'submit-hint', role: 'status' });
  const update = () => {
    const noReason = resubmitting && blank(draft.reason);
    button.disabled = todo.length > 0 || noReason;
    hint.textContent = noReason ? t('Write the reason for the changes to resubmit.') : '';
    hint.hidden = !noReason;
  };
  const reason = resubmitting
    ? h('label', { class: 'reason' }, h('span', {}, t('Reason for the changes'), ' ', h('span', { class: 'req', text: `(${t('required')})` })),
      h('textarea', { name: 'reason', rows: 3, required: true, 'aria-required': 'true', text: draft.reason || '',
        oninput: (e) => { draft.reason = e.target.value; drafts.saveDraft(draft); update(); } }))
    : null;
  const button = h('button', { type: 'button', class: 'primary', name: 'submit', text: resubmitting ? t('Resubmit') : t('Submit'),
    'aria-describedby': 'submit-hint',
    onclick: async () => {
      const photos = ctx.photos.filter((p) => p.state !== 'sent');
      const body = drafts.submission(insp, draft, photos);
      const sure = await ask({ title: t('Send this inspection to the lead?'), lines: summary(ctx, body),
        note: t('Once sent, it changes only if the lead returns it.'), ok: t('Send'), cancel: t('Go back') });
      if (!sure) return;
      button.disabled = true;
      await outbox.enqueue({ id: `submit:${insp.uuid}`, kind: 'submit', inspection: insp.uuid, body });
      ctx.rerender();
    } });
  update();
  mount(h('div', { class: 'screen' }, back(ctx), h('h1', { text: t('Review and submit') }), syncPanel(ctx),
    ctx.editable ? h('section', { class: 'card' },
      h('h2', { text: todo.length ? t('Still missing (%(n)s)', { n: todo.length }) : t('Everything is filled in.') }),
      todo.length ? h('ul', { class: 'missing' }, todo.map((m) => h('li', {}, h('a', { href: m.href, text: m.text })))) : null,
      warnings.map((m) => h('p', { class: 'warn' }, h('a', { href: m.href, text: m.text }))),
      reason, button, hint) : null,
    insp.submitted_at ? h('p', { class: 'meta', text: t('Submitted %(time)s', { time: fmtTime(insp.submitted_at) }) }) : null,
    h('a', { class: 'button wide', href: '#/', text: t('Back to the inspections') })));
}
