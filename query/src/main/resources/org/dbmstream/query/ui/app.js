// The destination's web page: plain ES module, no dependencies, everything read from this instance's /v1 API.
// Views (hash routes): #/ targets and migrations, #/t/TARGET its bitmaps, #/b/TARGET/NODE/NAME one bitmap with
// a picture of its dirty map drawn from GET .../extents?buckets=N.
import { drawDirtyMap, describeCell } from './picture.js';

const TOKEN_KEY = 'dbm-token';
/** The picture: COLS buckets per row, ROWS rows; each bucket is one CELL_W x CELL_H block of the canvas. */
export const PICTURE = { cols: 128, rows: 128, cellW: 4, cellH: 2 };

const $ = (id) => document.getElementById(id);
let timer = null;
let lastPicture = null;

/** GET a path of this API as JSON, with the token of this tab if there is one. */
async function api(path) {
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  const r = await fetch(path, { headers, cache: 'no-store' });
  if (r.status === 401 || r.status === 403) {
    const body = await r.json().catch(() => ({}));
    throw Object.assign(new Error(body.error || r.statusText), { auth: true });
  }
  if (!r.ok) {
    const body = await r.json().catch(() => ({}));
    throw new Error(`${path}: ${r.status} ${body.error || r.statusText}`);
  }
  return r.json();
}

const seg = (s) => encodeURIComponent(s);
const bitmapPath = (t, n, b) => `v1/targets/${seg(t)}/bitmaps/${seg(n)}/${seg(b)}`;

/** Builds an element: el('td', {class: 'num'}, 'text', child...). */
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : String(c ?? ''));
  return e;
}

function table(headers, rows, id) {
  const t = el('table', { id });
  t.append(el('thead', {}, el('tr', {}, ...headers.map(([h, cls]) => el('th', { class: cls }, h)))));
  const body = el('tbody');
  rows.forEach((cells) => body.append(el('tr', {}, ...cells.map(([v, cls, label]) =>
    el('td', { class: cls, 'data-label': label }, v)))));
  if (!rows.length) body.append(el('tr', {}, el('td', { colspan: headers.length, class: 'muted' }, 'none')));
  t.append(body);
  return el('div', { class: 'scroll' }, t);
}

/** 1.5 GiB, 64 KiB: binary units as QEMU prints them. */
export function bytes(n) {
  if (n === null || n === undefined || n < 0) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 && v % 1 ? 1 : 0)} ${units[i]}`;
}

/** "3 min ago" from an ISO-8601 instant. */
function ago(iso) {
  if (!iso) return '—';
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 90) return `${Math.round(s)} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

const when = (iso) => iso ? el('time', { datetime: iso, title: iso }, ago(iso)) : '—';
const state = (s) => el('span', { class: 'pill ' + s }, s);
const link = (href, text) => el('a', { href }, text);

function crumbs(...parts) {
  const nav = $('crumbs');
  nav.replaceChildren(link('#/', 'targets'));
  for (const [href, text] of parts) nav.append(' / ', href ? link(href, text) : el('span', {}, text));
}

async function homeView() {
  const [targets, migrations] = await Promise.all([api('v1/targets'), api('v1/migrations')]);
  const inFlight = migrations.filter((m) => m.status === 'active');
  const ended = migrations.filter((m) => m.status === 'failed' || m.status === 'cancelled');
  const done = migrations.filter((m) => m.status === 'completed').length;
  return { crumbs: [], content: [
    el('h2', {}, 'Targets ', el('small', {}, `${targets.length}`)),
    table([['target'], ['bitmaps', 'num'], ['state'], ['freshness'], ['migrations']],
      targets.map((t) => [[link('#/t/' + seg(t.target), t.target), '', 'target'], [t.bitmaps, 'num', 'bitmaps'],
        [targetState(t), '', 'state'], [targetFreshness(t), '', 'freshness'],
        [failedOf(t.target, ended), '', 'migrations']]),
      'targets'),
    el('h2', {}, 'Migrations in flight ', el('small', {}, `${inFlight.length}`)),
    table([['migration'], ['target'], ['progress']],
      inFlight.map((m) => [[m.migration, 'mono', 'migration'], [m.target, '', 'target'], [progress(m), '', 'progress']]),
      'in-flight'),
    el('h2', {}, 'Failed and cancelled ', el('small', {}, `${ended.length} · ${done} completed`)),
    table([['migration'], ['target'], ['status'], ['reason']],
      ended.map((m) => [[m.migration, 'mono', 'migration'], [m.target, '', 'target'], [state(m.status), '', 'status'],
        [m.reason || '—', 'reason', 'reason']]), 'failures'),
  ] };
}

/** A target's state from the API's summary: loading, lagging (with how many) or current; '—' until summarized. */
function targetState(t) {
  if (!t.state) return el('span', { class: 'muted', title: 'not summarized yet' }, '—');
  const pill = { current: 'complete', loading: 'loading', lagging: 'cancelled' }[t.state] || '';
  const detail = t.state === 'loading' ? ` ${t.loading}` : t.state === 'lagging' ? ` ${t.lagging}` : '';
  return el('span', { class: 'pill ' + pill, title: `${t.complete} complete, ${t.loading} loading, ${t.lagging} `
    + 'lagging (replicas of enabled bitmaps: their sources record writes since they were read)' }, t.state + detail);
}

/**
 * How current a target's replicas are: the age of the oldest lagging replica's bits where one lags (it misses the
 * writes since), else when its newest version completed.
 */
function targetFreshness(t) {
  if (t.lagAge !== null && t.lagAge !== undefined) {
    const read = new Date(Date.now() - t.lagAge * 1000).toISOString();
    return el('span', { title: 'the oldest lagging replica was read by its source ' + read }, 'oldest read ', when(read));
  }
  return t.lastCompleted ? el('span', {}, 'completed ', when(t.lastCompleted)) : '—';
}

/** How many of the migrations the destination keeps for this target failed or were cancelled (listed below). */
function failedOf(target, ended) {
  const mine = ended.filter((m) => m.target === target);
  const failed = mine.filter((m) => m.status === 'failed').length;
  const cancelled = mine.length - failed;
  if (!mine.length) return '—';
  return el('span', { class: 'pill ' + (failed ? 'failed' : 'cancelled') },
    [failed ? `${failed} failed` : '', cancelled ? `${cancelled} cancelled` : ''].filter(Boolean).join(', '));
}

function progress(m) {
  if (m.bitmaps === null || m.bitmaps === undefined) {
    return el('span', { class: 'muted' }, `${m.bitmapsDone} bitmap(s) complete; the source has not ended its stream yet`);
  }
  const share = m.bitmaps ? m.bitmapsDone / m.bitmaps : 1;
  return el('span', { class: 'progress' }, el('progress', { max: m.bitmaps, value: m.bitmapsDone }),
    ` ${m.bitmapsDone} / ${m.bitmaps} bitmaps (${Math.floor(share * 100)} %)`);
}

async function targetView(target) {
  const list = await api(`v1/targets/${seg(target)}/bitmaps`);
  return { crumbs: [[null, target]], content: [
    el('h2', {}, target, ' ', el('small', {}, `${list.length} bitmap(s)`)),
    table([['node'], ['bitmap'], ['state'], ['granularity', 'num'], ['disk', 'num'], ['dirty', 'num'], ['flags'],
      ['freshness']],
    list.map((b) => [[b.node, '', 'node'], [link(`#/b/${seg(target)}/${seg(b.node)}/${seg(b.name)}`, b.name), '', 'bitmap'],
      [state(b.state), '', 'state'], [bytes(b.granularity), 'num', 'granularity'], [bytes(b.size), 'num', 'disk'],
      [b.count === null ? '—' : bytes(b.count), 'num', 'dirty'], [flags(b), 'mono', 'flags'],
      [freshness(b), '', 'freshness']]), 'bitmaps'),
  ] };
}

/**
 * How current a replica is: the age of the bits the source read (the API's freshness, where the destination keeps
 * it) and 'lagging' for a replica of a bitmap that went on recording since; else when the destination last changed it.
 */
function freshness(b) {
  const f = b.freshness;
  if (!f || f.age === null || f.age === undefined) return when(b.updated);
  const read = f.sourceRead || f.completed;
  const age = el('time', { datetime: read, title: `read by the source ${read}` }, ago(read));
  return f.lagging ? el('span', {}, age, ' ', el('span', { class: 'pill cancelled', title:
    'the source bitmap records writes since it was read' }, 'lagging')) : age;
}

const flags = (b) => (b.enabled ? 'e' : '-') + (b.recording ? 'r' : '-') + (b.persistent ? 'p' : '-');

async function bitmapView(target, node, name) {
  const path = bitmapPath(target, node, name);
  const b = await api(path);
  const buckets = PICTURE.cols * PICTURE.rows;
  // the picture is fetched again only when the bitmap changed since it was drawn
  const key = `${path}@${b.migration}@${b.updated}@${b.chunks}`;
  const summary = lastPicture?.key === key ? lastPicture.summary : await api(`${path}/extents?buckets=${buckets}`);
  lastPicture = { key, summary };
  const meta = [['node', b.node], ['bitmap', b.name], ['state', state(b.state)], ['granularity', bytes(b.granularity)],
    ['disk size', bytes(b.size)], ['dirty', b.count === null ? '— (loading)' : `${bytes(b.count)} (${b.count} bytes)`],
    ['enabled', String(b.enabled)], ['recording', String(b.recording)], ['persistent', String(b.persistent)],
    ['sha256', el('code', {}, b.sha256 ?? '—')], ['migration', el('code', {}, b.migration)],
    ['chunks', b.chunks], ['updated', when(b.updated)]];
  if (b.freshness) meta.push(['freshness', freshness(b)], ['versions', b.freshness.versions ?? '—']);
  if (b.replaces) meta.push(['replaces', el('code', {}, b.replaces)]);
  const dl = el('dl', { id: 'meta' });
  meta.forEach(([k, v]) => dl.append(el('dt', {}, k), el('dd', { 'data-field': k }, v)));
  const canvas = el('canvas', { id: 'dirty-map', role: 'img' });
  const info = el('p', { id: 'cell', class: 'muted' }, 'Point at the picture to see which bytes a block covers.');
  drawDirtyMap(canvas, summary, PICTURE);
  const rowBytes = summary.bucketLength * PICTURE.cols;
  canvas.addEventListener('mousemove', (e) => { info.textContent = describeCell(canvas, summary, PICTURE, e); });
  const shown = summary.dirty.length;
  return { crumbs: [['#/t/' + seg(target), target], [null, `${node} / ${name}`]], content: [
    el('h2', {}, name, ' ', el('small', {}, `${target} / ${node}`)),
    el('div', { class: 'bitmap' },
      el('section', { class: 'picture' },
        el('h3', {}, 'Dirty map'),
        canvas,
        el('p', { class: 'legend' }, el('span', { class: 'swatch clean' }), 'clean ', el('span', { class: 'swatch some' }),
          'partly dirty ', el('span', { class: 'swatch full' }), 'all dirty'),
        el('p', { class: 'muted', id: 'scale' }, `Each block covers ${bytes(summary.bucketLength)} of the disk, `
          + `each row ${bytes(rowBytes)}; ${shown} block(s) from offset 0 to ${bytes(summary.length)}, read left to `
          + 'right, top to bottom.'),
        info),
      el('section', {}, el('h3', {}, 'Metadata'), dl)),
  ] };
}

let rendering = 0;

async function render() {
  // a redraw still waiting for the API when the user moves on must not draw the old view over the new one
  const mine = ++rendering;
  const hash = location.hash || '#/';
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const view = $('view');
  try {
    let drawn;
    if (parts[0] === 't' && parts.length === 2) drawn = await targetView(parts[1]);
    else if (parts[0] === 'b' && parts.length === 4) drawn = await bitmapView(parts[1], parts[2], parts[3]);
    else drawn = await homeView();
    if (mine !== rendering) return;
    crumbs(...drawn.crumbs);
    view.replaceChildren(...drawn.content);
    $('login').hidden = true;
    view.dataset.loaded = hash;
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    if (mine !== rendering) return;
    if (e.auth) {
      $('login').hidden = false;
      $('login-why').textContent = sessionStorage.getItem(TOKEN_KEY)
        ? `The token was refused: ${e.message}` : `This destination asks for a token: ${e.message}`;
      view.replaceChildren();
    } else {
      view.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
    }
    view.dataset.loaded = 'error';
  }
  $('forget').hidden = !sessionStorage.getItem(TOKEN_KEY);
  health();
}

async function health() {
  const pill = $('health');
  try {
    const r = await fetch('health/ready', { cache: 'no-store' });
    pill.textContent = r.ok ? 'ready' : 'not ready';
    pill.className = 'pill ' + (r.ok ? 'complete' : 'failed');
  } catch (e) {
    pill.textContent = 'unreachable';
    pill.className = 'pill failed';
  }
}

function schedule() {
  clearInterval(timer);
  const s = Number($('refresh').value);
  if (s > 0) timer = setInterval(() => { if (!document.hidden) render(); }, s * 1000);
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  const t = $('token').value.trim();
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  $('token').value = '';
  render();
});
$('forget').addEventListener('click', () => { sessionStorage.removeItem(TOKEN_KEY); render(); });
$('refresh').addEventListener('change', schedule);
window.addEventListener('hashchange', render);
schedule();
render();
