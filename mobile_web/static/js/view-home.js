// The home screen: the team's inspections, today's first, with their local state.
import { h, mount } from './dom.js';
import { t, tx } from './i18n.js';

export function renderHome({ list, states, online, storageLow, me }) {
  const today = new Date().toISOString().slice(0, 10);
  const card = (insp) => {
    const isToday = insp.window_start && insp.window_start <= today && (insp.window_end || insp.window_start) >= today;
    const state = states[insp.uuid];
    return h('li', {}, h('a', { class: `item card-link${isToday ? ' today' : ''}`, href: `#/i/${insp.uuid}` },
      h('div', { class: 'row' }, h('strong', { class: 'unit', text: insp.unit_name }),
        h('span', { class: `badge status-${insp.status}`, text: t(`status.${insp.status}`) })),
      h('div', { class: 'meta', text: tx(insp.checklist?.title) || insp.checklist_key }),
      h('div', { class: 'row meta' }, h('span', { class: `badge kind-${insp.kind}`, text: t(`kind.${insp.kind}`) }),
        insp.window_start ? h('span', { text: `${isToday ? `${t('Today')} · ` : ''}${insp.window_start} – ${insp.window_end || ''}` }) : null),
      state ? h('div', {}, h('span', { class: `badge local-${state}`, text: t(`local.${state}`) })) : null));
  };
  mount(h('div', { class: 'screen' },
    storageLow ? h('p', { class: 'flash flash-error', role: 'alert', text: t('The phone is running out of storage. Send your inspections soon.') }) : null,
    online ? null : h('p', { class: 'flash offline', role: 'status', text: t('Offline: your work is saved on this phone and will be sent later.') }),
    h('h1', { text: t('Inspections') }),
    me ? h('p', { class: 'meta', text: me.full_name || me.username }) : null,
    list.length ? h('ul', { class: 'list' }, list.map(card)) : h('p', { class: 'empty', text: t('No inspections assigned to your team.') }),
    online ? h('form', { method: 'post', action: '/logout', class: 'signout' }, h('button', { type: 'submit', class: 'link', text: t('Sign out') })) : null));
}
