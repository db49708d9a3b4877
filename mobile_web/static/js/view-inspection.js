// The inspection screens: overview with check-in, and one section's items.
import { $, h, fmtTime, mount } from './dom.js';
import * as drafts from './draft.js';
import { answerProblem, hiddenItems, outcome, photoNeeded, sectionProgress } from './form.js';
import { t, tx } from './i18n.js';
import * as outbox from './outbox.js';
import { photoStrip } from './view-record.js';

const WARN_ACCURACY_M = 100;
let watch = null;

function distanceM(a, b) {
  const rad = Math.PI / 180, dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371000 * Math.asin(Math.sqrt(s));
}

export function header(ctx) {
  const { insp } = ctx;
  return h('header', { class: 'insp-head' },
    h('a', { class: 'back', href: '#/', text: `← ${t('Inspections')}` }),
    h('h1', { text: insp.unit_name }),
    h('p', { class: 'meta', text: tx(insp.checklist.title) }),
    h('p', { class: 'row' }, h('span', { class: `badge status-${insp.status}`, text: t(`status.${insp.status}`) }),
      ctx.localState ? h('span', { class: `badge local-${ctx.localState}`, text: t(`local.${ctx.localState}`) }) : null),
    insp.status === 'cancelled' ? h('p', { class: 'flash flash-error', role: 'alert',
      text: t('Cancelled by the lead. Reason: %(reason)s', { reason: insp.cancel_reason || '—' }) }) : null);
}

function checkinCard(ctx) {
  const { insp, draft } = ctx;
  const done = draft.checkin || (insp.checked_in_at && { at: insp.checked_in_at, accuracy_m: insp.checkin_accuracy_m });
  if (done) {
    return h('section', { class: 'card checkin done' }, h('h2', { text: t('Checked in') }),
      h('p', { text: t('At %(time)s, accuracy %(m)s m', { time: fmtTime(done.at), m: Math.round(done.accuracy_m ?? 0) }) }));
  }
  if (!ctx.editable) return null;
  const status = h('p', { class: 'gps', role: 'status', text: t('Finding your position…') });
  const warn = h('p', { class: 'warn', hidden: true, text: t('The position is not precise (over 100 m). Move outdoors if you can.') });
  const button = h('button', { class: 'primary', type: 'button', name: 'checkin', disabled: true, text: t('Check in here') });
  let last = null;
  const locations = insp.unit.locations || [];
  if (watch !== null) navigator.geolocation?.clearWatch(watch);
  watch = navigator.geolocation?.watchPosition((pos) => {
    last = pos.coords;
    const near = locations.length ? Math.min(...locations.map((l) => distanceM({ lat: last.latitude, lon: last.longitude }, l))) : null;
    status.textContent = t('Accuracy %(m)s m', { m: Math.round(last.accuracy) })
      + (near === null ? '' : ` · ${t('%(m)s m from the unit', { m: Math.round(near) })}`);
    warn.hidden = last.accuracy <= WARN_ACCURACY_M;
    button.disabled = false;
  }, () => { status.textContent = t('No position: allow location access and try again.'); }, { enableHighAccuracy: true });
  window.addEventListener('hashchange', () => { navigator.geolocation?.clearWatch(watch); watch = null; }, { once: true });
  button.addEventListener('click', async () => {
    const at = new Date().toISOString();
    draft.checkin = { lat: last.latitude, lon: last.longitude, accuracy_m: last.accuracy, at };
    draft.started_at ||= at;
    await drafts.saveDraft(draft);
    await outbox.enqueue({ id: `checkin:${insp.uuid}`, kind: 'checkin', inspection: insp.uuid, body: draft.checkin });
    ctx.rerender();
  });
  return h('section', { class: 'card checkin' }, h('h2', { text: t('Check in on site') }), status, warn, button);
}

function comments(ctx, itemKey) {
  const list = (ctx.insp.review_comments || []).filter((c) => c.item_key === itemKey && !c.resolved_at);
  if (!list.length || ctx.insp.status !== 'returned') return null;
  return h('div', { class: 'comment', role: 'note' }, h('strong', { text: t('Comment from the lead') }),
    ...list.map((c) => h('p', { text: c.body })));
}

export function renderOverview(ctx) {
  const { insp, draft } = ctx;
  const hidden = hiddenItems(insp.checklist, draft.answers);
  const base = `#/i/${insp.uuid}`;
  const sections = insp.checklist.sections.map((s) => {
    const p = sectionProgress(s, draft.answers, hidden);
    const keys = new Set(s.items.map((i) => i.key));
    const notes = insp.status === 'returned' ? (insp.review_comments || []).filter((c) => keys.has(c.item_key) && !c.resolved_at).length : 0;
    return h('li', {}, h('a', { class: `nav-row${p.answered === p.required ? ' complete' : ''}`, href: `${base}/s/${s.key}` },
      h('span', { text: tx(s.title) }),
      notes ? h('span', { class: 'badge comment-badge', text: t('%(n)s comments', { n: notes }) }) : null,
      h('span', { class: 'tally', text: `${p.answered}/${p.required}` })));
  });
  mount(h('div', { class: 'screen' }, header(ctx), comments(ctx, null), checkinCard(ctx),
    h('h2', { text: t('Checklist') }), h('ul', { class: 'nav-list' }, sections),
    h('ul', { class: 'nav-list' },
      h('li', {}, h('a', { class: 'nav-row', href: `${base}/findings` }, h('span', { text: t('Findings') }),
        h('span', { class: 'tally', text: String(draft.findings.length) }))),
      h('li', {}, h('a', { class: 'nav-row', href: `${base}/minutes` }, h('span', { text: t('Attendees, times and signatures') }))),
      h('li', {}, h('a', { class: 'nav-row primary-row', href: `${base}/submit` }, h('span', { text: ctx.editable ? t('Review and submit') : t('Sending') }))))));
}

function input(item, answer, onChange, disabled) {
  const name = `a-${item.key}`;
  const value = answer?.value;
  const radio = (val, label) => h('label', { class: 'seg' }, h('input', { type: 'radio', name, value: String(val), checked: value === val && !answer?.na, disabled,
    onchange: () => onChange({ value: val, na: false }) }), h('span', { text: label }));
  const num = (v, attrs, set) => h('input', { type: 'number', inputmode: 'numeric', value: v ?? '', disabled, ...attrs,
    oninput: (e) => set(e.target.value === '' ? null : Number(e.target.value)) });
  switch (item.type) {
    case 'pass_fail': return h('div', { class: 'segs' }, radio('pass', t('Pass')), radio('fail', t('Fail')));
    case 'yes_no': return h('div', { class: 'segs' }, radio('yes', t('Yes')), radio('no', t('No')));
    case 'scale': {
      const out = [];
      for (let i = item.scale.min; i <= item.scale.max; i++) out.push(radio(i, String(i)));
      return h('div', { class: 'segs scale' }, out);
    }
    case 'choice': return h('div', { class: 'options' }, item.options.map((o) => radio(o.key, tx(o.label))));
    case 'multi_choice': {
      const chosen = Array.isArray(value) ? value : [];
      return h('div', { class: 'options' }, item.options.map((o) => h('label', { class: 'seg' },
        h('input', { type: 'checkbox', name, value: o.key, checked: chosen.includes(o.key), disabled, onchange: (e) => {
          const now = new Set(Array.isArray(answer?.value) ? answer.value : []);
          e.target.checked ? now.add(o.key) : now.delete(o.key);
          onChange({ value: item.options.map((x) => x.key).filter((k) => now.has(k)), na: false });
        } }), h('span', { text: tx(o.label) }))));
    }
    case 'ratio': {
      const v = value && typeof value === 'object' ? { ...value } : { numerator: null, denominator: null };
      const pct = h('p', { class: 'pct' });
      const show = () => { pct.textContent = v.denominator > 0 && v.numerator !== null ? `= ${Math.round((v.numerator * 1000) / v.denominator) / 10} %` : ''; };
      const set = (k) => (n) => { v[k] = n; show(); onChange({ value: v.numerator === null && v.denominator === null ? null : { ...v }, na: false }); };
      show();
      return h('div', { class: 'ratio' }, h('label', {}, tx(item.numerator), num(v.numerator, { min: 0, step: 1, name: `${name}-n` }, set('numerator'))),
        h('label', {}, tx(item.denominator), num(v.denominator, { min: 0, step: 1, name: `${name}-d` }, set('denominator'))), pct);
    }
    case 'count': return num(value, { min: 0, step: 1, name, 'aria-label': tx(item.text) }, (n) => onChange({ value: n, na: false }));
    case 'number': return num(value, { step: 'any', name, inputmode: 'decimal', 'aria-label': tx(item.text) }, (n) => onChange({ value: n, na: false }));
    case 'date': return h('input', { type: 'date', name, value: value || '', disabled, oninput: (e) => onChange({ value: e.target.value || null, na: false }) });
    case 'photo': return null;
    default: return h('textarea', { name, rows: 3, disabled, 'aria-label': tx(item.text), text: value || '',
      oninput: (e) => onChange({ value: e.target.value, na: false }) });
  }
}

export function renderSection(ctx, sectionKey) {
  const { insp, draft } = ctx;
  const section = insp.checklist.sections.find((s) => s.key === sectionKey);
  if (!section) { location.hash = `#/i/${insp.uuid}`; return; }
  const progress = h('span', { class: 'tally' });
  const cards = new Map();
  const refresh = () => {
    const hidden = hiddenItems(insp.checklist, draft.answers);
    for (const [key, { card, item, message, photoHint }] of cards) {
      const a = draft.answers[key];
      card.hidden = hidden.has(key);
      const problem = answerProblem(item, a);
      message.textContent = problem || '';
      message.hidden = !problem;
      card.dataset.outcome = outcome(item, a);
      const naBox = card.querySelector(`input[name="na-${key}"]`);
      if (naBox) naBox.checked = !!a?.na;
      if (a?.na) card.querySelectorAll(`input[name="a-${key}"]`).forEach((i) => { i.checked = false; });
      photoHint.hidden = !(photoNeeded(item, a) && !ctx.photoCount(key));
    }
    const p = sectionProgress(section, draft.answers, hidden);
    progress.textContent = t('%(answered)s of %(required)s required answered', p);
  };
  const save = async (key, patch) => {
    draft.answers[key] = { ...(draft.answers[key] || {}), ...patch };
    await drafts.saveDraft(draft);
    refresh();
  };
  for (const item of section.items) {
    const a = draft.answers[item.key];
    const message = h('p', { class: 'error', role: 'alert', hidden: true });
    const photoHint = h('p', { class: 'warn', hidden: true, text: t('A photo is required for this answer.') });
    const na = item.allow_na ? h('label', { class: 'check na' }, h('input', { type: 'checkbox', name: `na-${item.key}`, checked: !!a?.na,
      disabled: !ctx.editable, onchange: (e) => save(item.key, { na: e.target.checked, value: e.target.checked ? null : a?.value ?? null }) }),
    t('Not applicable')) : null;
    const note = h('details', { class: 'note', open: !!a?.note }, h('summary', { text: t('Note') }),
      h('textarea', { name: `note-${item.key}`, rows: 2, disabled: !ctx.editable, text: a?.note || '',
        oninput: (e) => save(item.key, { note: e.target.value }) }));
    const wantsPhoto = item.evidence?.photo !== 'never' || item.type === 'photo';
    const card = h('article', { class: 'card q', id: `item-${item.key}` },
      h('h3', {}, tx(item.text), item.required ? h('span', { class: 'req', title: t('Required'), text: ' *' }) : null),
      item.guidance ? h('p', { class: 'meta', text: tx(item.guidance) }) : null,
      comments(ctx, item.key),
      input(item, a, (patch) => save(item.key, patch), !ctx.editable), na, message, photoHint,
      wantsPhoto ? photoStrip(ctx, { item_key: item.key }, refresh) : null, note);
    cards.set(item.key, { card, item, message, photoHint });
  }
  const next = insp.checklist.sections[insp.checklist.sections.indexOf(section) + 1];
  mount(h('div', { class: 'screen' },
    h('a', { class: 'back', href: `#/i/${insp.uuid}`, text: `← ${insp.unit_name}` }),
    h('h1', { text: tx(section.title) }), progress, ...[...cards.values()].map((c) => c.card),
    h('a', { class: 'button wide', href: next ? `#/i/${insp.uuid}/s/${next.key}` : `#/i/${insp.uuid}`,
      text: next ? `${tx(next.title)} →` : t('Back to the overview') })));
  refresh();
  const target = location.hash.split('#')[2];
  if (target) $(`#${CSS.escape(target)}`)?.scrollIntoView();
}
