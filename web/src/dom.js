// A tiny DOM builder: h('div', {class: 'x', onclick: f}, child, ...) -> Element.
// Children may be strings, numbers, nodes, arrays, null or false (skipped).
// Text always goes through text nodes, never innerHTML, so data cannot inject markup.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'disabled') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces an element's children.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let fieldIds = 0;

// A labelled form control; the hint, if any, is its description (read after the label).
export function field(label, control, hint) {
  if (!control.id) control.id = 'f' + ++fieldIds;
  let hintEl = null;
  if (hint) {
    hintEl = h('span', { class: 'field-hint', id: control.id + '-hint' }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', { class: 'field' }, h('label', { class: 'field-label', for: control.id }, label), control, hintEl);
}

export function select(options, value, attrs) {
  return h('select', attrs, options.map(([v, text]) =>
    h('option', { value: v, selected: v === value }, text)));
}

// A short-lived message in the live region; `action` is an optional [label, fn].
export function toast(message, action) {
  const region = document.getElementById('toasts');
  const item = h('div', { class: 'toast', role: 'status' }, h('span', {}, message));
  if (action) {
    item.append(h('button', { type: 'button', class: 'link', onclick: () => { item.remove(); action[1](); } },
      action[0]));
  }
  region.append(item);
  setTimeout(() => item.remove(), action ? 12000 : 5000);
}
