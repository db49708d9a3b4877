// The inspection screens: overview with check-in, and one section's items.
import { $, h, fmtDistance, fmtNumber, fmtTime, mount } from './dom.js';
import * as drafts from './draft.js';
import { answerProblem, hiddenItems, outcome, photoNeeded, sectionProgress } from './form.js';
import { lang, t, tx } from './i18n.js';
import * as outbox from './outbox.js';
import { photoStrip } from './view-record.js';

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

// The flags the server will raise for this position (services/evidence/geo.py
// location_flags), by the limits the server sent with the inspection.
function locationFlags(distance, accuracy, rules, hasLocations) {
  const flags = [];
  if (!hasLocations) flags.push({ code: 'no_unit_location' });
  else if (rules && distance > rules.radius_m) flags.push({ code: 'off_site', distance_m: distance, radius_m: rules.radius_m });
  if (accuracy === 0) flags.push({ code: 'mocked_location' });
  else if (rules && accuracy > rules.poor_accuracy_m) flags.push({ code: 'poor_accuracy', accuracy_m: accuracy, limit_m: rules.poor_accuracy_m });
  return flags;
}

// A flag as the lead reads it (the same sentences as services/evidence/geo.py describe_flag).
function describeFlag(flag, before) {
  switch (flag.code) {
    case 'off_site': {
      const params = { distance: fmtDistance(flag.distance_m), radius: fmtDistance(flag.radius_m) };
      return { label: t('Off site'), text: before ? t("Here: %(distance)s from the unit's registered location (allowed %(radius)s).", params)
        : t("Checked in %(distance)s from the unit's registered location (allowed %(radius)s).", params) };
    }
    case 'poor_accuracy': return { label: t('Poor accuracy'), text: t('Location accuracy %(accuracy)s is poor (limit %(limit)s).',
      { accuracy: fmtDistance(flag.accuracy_m), limit: fmtDistance(flag.limit_m) }) };
    case 'mocked_location': return { label: t('Possibly simulated'), text: t('Accuracy reported as 0 m: the position may be simulated.') };
    case 'no_unit_location': return { label: t('No registered location'),
      text: t('The unit has no registered location, so the distance could not be checked.') };
    default: return null;
  }
}

function flagList(flags, before) {
  const shown = flags.map((f) => describeFlag(f, before)).filter(Boolean);
  if (!shown.length) return null;
  return h('div', { class: 'geo-flags', role: 'status' },
    h('ul', {}, shown.map((f) => h('li', { class: 'warn' }, h('span', { class: 'badge warn-badge', text: `⚠ ${f.label}` }), ' ', f.text))),
    h('p', { class: 'meta', text: before ? t('You can still check in here: the lead will see this warning.')
      : t('The lead sees this warning with the inspection.') }));
}

function checkinCard(ctx) {
  const { insp, draft } = ctx;
  const done = draft.checkin || (insp.checked_in_at && { at: insp.checked_in_at, accuracy_m: insp.checkin_accuracy_m });
  const locations = insp.unit.locations || [];
  if (done) {
    // The server's own flags once it has the check-in; until then, the phone's reading of the same rules.
    const flags = insp.checked_in_at ? insp.checkin_flags || [] : draft.checkin_flags || [];
    return h('section', { class: `card checkin done${flags.some((f) => f.code !== 'no_unit_location') ? ' flagged' : ''}` },
      h('h2', { text: t('Checked in') }),
      h('p', { text: t('At %(time)s, accuracy %(distance)s', { time: fmtTime(done.at), distance: fmtDistance(done.accuracy_m ?? 0) }) }),
      flagList(flags, false));
  }
  if (!ctx.editable) return null;
  const status = h('p', { class: 'gps', role: 'status', text: t('Finding your position…') });
  const warnings = h('div', { class: 'geo-warnings' });
  const button = h('button', { class: 'primary', type: 'button', name: 'checkin', disabled: true, text: t('Check in here') });
  let last = null;
  let flags = [];
  if (watch !== null) navigator.geolocation?.clearWatch(watch);
  watch = navigator.geolocation?.watchPosition((pos) => {
    last = pos.coords;
    const near = locations.length ? Math.min(...locations.map((l) => distanceM({ lat: last.latitude, lon: last.longitude }, l))) : null;
    status.textContent = t('Accuracy %(distance)s', { distance: fmtDistance(last.accuracy) })
      + (near === null ? '' : ` · ${t('%(distance)s from the unit', { distance: fmtDistance(near) })}`);
    flags = locationFlags(near, last.accuracy, insp.location_rules, locations.length > 0);
    warnings.replaceChildren(flagList(flags, true) || '');
    button.disabled = false;
  }, () => { status.textContent = t('No position: allow location access and try again.'); }, { enableHighAccuracy: true });
  window.addEventListener('hashchange', () => { navigator.geolocation?.clearWatch(watch); watch = null; }, { once: true });
  button.addEventListener('click', async () => {
    const at = new Date().toISOString();
    draft.checkin = { lat: last.latitude, lon: last.longitude, accuracy_m: last.accuracy, at };
    draft.checkin_flags = flags;
    draft.started_at ||= at;
    await drafts.saveDraft(draft);
    await outbox.enqueue({ id: `checkin:${insp.uuid}`, kind: 'checkin', inspection: insp.uuid, body: draft.checkin });
    ctx.rerender();
  });
  return h('section', { class: 'card checkin' }, h('h2', { text: t('Check in on site') }), status, warnings, button);
}

function comments(ctx, itemKey) {
  const here = (ctx.insp.review_comments || []).filter((c) => c.item_key === itemKey);
  // Returned: what the lead asks the team to fix. Approved: what the lead wrote with the approval.
  const returned = ctx.insp.status === 'returned';
  const list = returned ? here.filter((c) => !c.resolved_at) : here.filter((c) => c.kind === 'approval');
  if (!list.length) return null;
  return h('div', { class: 'comment', role: 'note' },
    h('strong', { text: returned ? t('Comment from the lead') : t('Comment from the lead, with the approval') }),
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
      notes ? h('span', { class: 'badge comment-badge', text: notes === 1 ? t('1 comment') : t('%(n)s comments', { n: notes }) }) : null,
      h('span', { class: 'tally', text: `${p.answered}/${p.required}` })));
  });
  mount(h('div', { class: 'screen' }, header(ctx), comments(ctx, null), checkinCard(ctx),
    h('h2', { text: t('Checklist') }), h('ul', { class: 'nav-list' }, sections),
    h('ul', { class: 'nav-list' },
      h('li', {}, h('a', { class: 'nav-row', href: `${base}/findings` }, h('span', { text: t('Findings') }),
        h('span', { class: 'tally', text: String(draft.findings.length) }))),
      h('li', {}, h('a', { class: 'nav-row', href: `${base}/minutes` }, h('span', { text: t('Attendees, times and signatures') }))),
      h('li', {}, h('a', { class: 'nav-row primary-row', href: `${base}/submit` }, h('span', { text: submitRow(ctx) }))))));
}

// What the last row leads to: the review while the team can still change the inspection,
// the outbox while the phone is sending it, and afterwards what was sent and when.
function submitRow(ctx) {
  if (ctx.editable) return t('Review and submit');
  return ctx.record && ctx.record.state !== 'done' ? t('Sending') : t('Sending status');
}

// The pass mark of a measured item ("≥ 95 %", "≤ 0", "80 % – 100 %"), or null when it has none.
function passMark(item) {
  if (!item.scored || !['ratio', 'count', 'number', 'scale'].includes(item.type)) return null;
  const low = item.pass_at, high = item.pass_at_most;
  if (low == null && high == null) return null;
  const n = (v) => (item.type === 'ratio' ? `${fmtNumber(v, 1)}\u00a0%` : fmtNumber(v, 2));
  if (low != null && high != null) return `${n(low)} – ${n(high)}`;
  return low != null ? `≥\u00a0${n(low)}` : `≤\u00a0${n(high)}`;
}

// Each answer control is named by its question (the card's h3, id q-<key>), which
// says "required" to a screen reader as well as showing the "*".
function input(item, answer, onChange, disabled) {
  const name = `a-${item.key}`;
  const value = answer?.value;
  const named = { 'aria-labelledby': `q-${item.key}`, 'aria-required': item.required ? 'true' : null };
  const group = (cls, children, role = 'radiogroup') => h('div', { class: cls, role, ...named }, children);
  const radio = (val, label) => h('label', { class: 'seg' }, h('input', { type: 'radio', name, value: String(val), checked: value === val && !answer?.na, disabled,
    onchange: () => onChange({ value: val, na: false }) }), h('span', { text: label }));
  const num = (v, attrs, set) => h('input', { type: 'number', inputmode: 'numeric', value: v ?? '', disabled, ...attrs,
    oninput: (e) => set(e.target.value === '' ? null : Number(e.target.value)) });
  switch (item.type) {
    case 'pass_fail': return group('segs', [radio('pass', t('Pass')), radio('fail', t('Fail'))]);
    case 'yes_no': return group('segs', [radio('yes', t('Yes')), radio('no', t('No'))]);
    case 'scale': {
      const out = [];
      for (let i = item.scale.min; i <= item.scale.max; i++) out.push(radio(i, String(i)));
      return group('segs scale', out);
    }
    case 'choice': return group('options', item.options.map((o) => radio(o.key, tx(o.label))));
    case 'multi_choice': {
      const chosen = Array.isArray(value) ? value : [];
      return group('options', item.options.map((o) => h('label', { class: 'seg' },
        h('input', { type: 'checkbox', name, value: o.key, checked: chosen.includes(o.key), disabled, onchange: (e) => {
          const now = new Set(Array.isArray(answer?.value) ? answer.value : []);
          e.target.checked ? now.add(o.key) : now.delete(o.key);
          onChange({ value: item.options.map((x) => x.key).filter((k) => now.has(k)), na: false });
        } }), h('span', { text: tx(o.label) }))), 'group');
    }
    case 'ratio': {
      const v = value && typeof value === 'object' ? { ...value } : { numerator: null, denominator: null };
      const pct = h('p', { class: 'pct' });
      const show = () => { pct.textContent = v.denominator > 0 && v.numerator !== null ? `= ${fmtNumber((v.numerator * 100) / v.denominator, 1)}\u00a0%` : ''; };
      const set = (k) => (n) => { v[k] = n; show(); onChange({ value: v.numerator === null && v.denominator === null ? null : { ...v }, na: false }); };
      show();
      return h('div', { class: 'ratio', role: 'group', 'aria-labelledby': `q-${item.key}` }, h('label', {}, tx(item.numerator), num(v.numerator, { min: 0, step: 1, name: `${name}-n` }, set('numerator'))),
        h('label', {}, tx(item.denominator), num(v.denominator, { min: 0, step: 1, name: `${name}-d` }, set('denominator'))), pct);
    }
    case 'count': return num(value, { min: 0, step: 1, name, ...named }, (n) => onChange({ value: n, na: false }));
    case 'number': return num(value, { step: 'any', name, inputmode: 'decimal', ...named }, (n) => onChange({ value: n, na: false }));
    case 'date': return h('input', { type: 'date', name, value: value || '', disabled, ...named,
      oninput: (e) => onChange({ value: e.target.value || null, na: false }) });
    case 'photo': return null;
    default: return h('textarea', { name, rows: 3, disabled, ...named, text: value || '',
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
    for (const [key, { card, item, message, photoHint, mark }] of cards) {
      const a = draft.answers[key];
      card.hidden = hidden.has(key);
      const problem = answerProblem(item, a);
      // The rule's words follow "item: " elsewhere; alone under the answer, a sentence.
      message.textContent = problem ? problem[0].toLocaleUpperCase(lang) + problem.slice(1) : '';
      message.hidden = !problem;
      card.dataset.outcome = outcome(item, a);
      if (mark) {
        // The mark stays in view; the verdict joins it once the answer is judged.
        const verdict = { pass: t('Pass'), fail: t('Fail') }[card.dataset.outcome];
        mark.dataset.outcome = card.dataset.outcome;
        mark.replaceChildren(t('Pass mark: %(mark)s', { mark: passMark(item) }),
          verdict ? h('strong', { class: 'verdict', text: ` · ${verdict}` }) : '');
      }
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
      disabled: !ctx.editable, 'aria-describedby': `q-${item.key}`,
      onchange: (e) => save(item.key, { na: e.target.checked, value: e.target.checked ? null : a?.value ?? null }) }),
    t('Not applicable')) : null;
    const note = h('details', { class: 'note', open: !!a?.note }, h('summary', { text: t('Note') }),
      h('textarea', { name: `note-${item.key}`, rows: 2, disabled: !ctx.editable, text: a?.note || '',
        'aria-label': t('Note on: %(item)s', { item: tx(item.text) }),
        oninput: (e) => save(item.key, { note: e.target.value }) }));
    const wantsPhoto = item.evidence?.photo !== 'never' || item.type === 'photo';
    const mark = passMark(item) ? h('p', { class: 'passmark', 'aria-live': 'polite' }) : null;
    const card = h('article', { class: 'card q', id: `item-${item.key}` },
      h('h3', { id: `q-${item.key}` }, tx(item.text), item.required ? [h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' }),
        h('span', { class: 'visually-hidden', text: ` (${t('required')})` })] : null),
      item.guidance ? h('p', { class: 'meta', text: tx(item.guidance) }) : null,
      comments(ctx, item.key),
      input(item, a, (patch) => save(item.key, patch), !ctx.editable), mark, na, message, photoHint,
      wantsPhoto ? photoStrip(ctx, { item_key: item.key }, refresh, tx(item.text)) : null, note);
    cards.set(item.key, { card, item, message, photoHint, mark });
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
