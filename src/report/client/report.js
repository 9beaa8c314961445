/*
 * The inventory report's page script: reads the JSON embedded in the page (see
 * src/report/reportData.ts for its shape) and draws six views into their tab panels, each the
 * first time it is shown. Plain DOM, no framework; charts by Chart.js, inlined before this script.
 * Every text from the inventory goes in as text (textContent), never as HTML.
 */
'use strict';

(function () {
  performance.mark('report-script-start');
  const D = JSON.parse(document.getElementById('report-data').textContent);
  performance.mark('report-data-parsed');
  const PAGE = 200;
  const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#8C6D1F', '#000000'];

  // ---------------------------------------------------------------- helpers

  /** An element: `props` sets class, text, attributes (aria-*, role, …) and `on` listeners. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = value;
      else if (key === 'on') for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  const number = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'));
  const plural = (n, one, many) => `${number(n)} ${n === 1 ? one : many || one + 's'}`;

  function time(iso) {
    if (!iso) return '–';
    return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    const s = Math.round(seconds);
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
    return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  }

  const STATUS_CLASS = {
    succeeded: 'ok', crawled: 'ok', ACTIVE: 'ok', added: 'ok',
    partial: 'warn', running: 'warn', modified: 'warn', SUSPENDED: 'warn', PENDING_CLOSURE: 'warn', 'skipped-inactive': 'warn', filtered: 'plain', 'not-crawled': 'plain', 'other-shard': 'plain',
    failed: 'bad', denied: 'bad', error: 'bad', removed: 'bad', CLOSED: 'bad',
  };

  function badge(text, title) {
    return h('span', { class: `badge ${STATUS_CLASS[text] || 'plain'}`, title }, text || '?');
  }

  function table(headers, rows, options) {
    const numeric = (options && options.numeric) || [];
    const head = h('tr', {}, headers.map((label, i) => h('th', { scope: 'col', class: numeric.includes(i) ? 'num' : null }, label)));
    const body = rows.map((cells) => h('tr', {}, cells.map((cell, i) => h('td', { class: numeric.includes(i) ? 'num' : null }, cell))));
    const caption = options && options.caption ? h('caption', { class: 'muted' }, options.caption) : null;
    return h('div', { class: 'scroll' }, h('table', {}, caption, h('thead', {}, head), h('tbody', {}, body)));
  }

  function facts(pairs) {
    return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
  }

  const accountsById = new Map(D.accounts.map((a) => [a.id, a]));
  const nodesById = new Map(D.nodes.map((n) => [n.id, n]));

  function accountLabel(id) {
    if (id === null || id === undefined) return '–';
    const account = accountsById.get(id);
    return account && account.name ? `${account.name} (${id})` : id;
  }

  /** Names from the root down to a node: "Root / Workloads / Prod". */
  function nodePathLabel(id) {
    if (id === null || id === undefined) return 'organization';
    const path = D.nodePaths[id] || [id];
    return path.map((p) => (nodesById.get(p) && nodesById.get(p).name) || p).join(' / ');
  }

  function prettyValue(value) {
    if (value === null || value === undefined) return h('span', { class: 'muted' }, 'null');
    if (typeof value === 'string' && /^[[{]/.test(value)) {
      try {
        return h('pre', {}, JSON.stringify(JSON.parse(value), null, 2));
      } catch {
        // Not JSON after all: shown as it is.
      }
    }
    return h('code', {}, String(value));
  }

  /** Text with each occurrence of `needle` (lower case) marked. */
  function marked(text, needle) {
    const out = [];
    const lower = text.toLowerCase();
    let at = 0;
    for (let i = needle ? lower.indexOf(needle) : -1; i >= 0; i = lower.indexOf(needle, at)) {
      out.push(text.slice(at, i), h('mark', {}, text.slice(i, i + needle.length)));
      at = i + needle.length;
    }
    out.push(text.slice(at));
    return out;
  }

  // ---------------------------------------------------------------- charts

  if (window.Chart) {
    window.Chart.defaults.animation = false;
    window.Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
    window.Chart.defaults.color = '#1b1f24';
    window.Chart.defaults.maintainAspectRatio = false;
  }

  /**
   * A chart with its caption and, for screen readers and print, its numbers as a table.
   * Drawn once the figure is in the document (Chart.js measures its box).
   */
  function chartFigure(caption, description, config, dataTable, tall) {
    const canvas = h('canvas', { role: 'img', 'aria-label': `${caption}: ${description}` });
    const figure = h(
      'figure',
      { class: tall ? 'chart tall' : 'chart' },
      h('figcaption', {}, caption),
      h('div', { class: 'box' }, canvas),
      h('details', {}, h('summary', {}, 'The numbers'), dataTable),
    );
    pendingCharts.push(() => {
      if (window.Chart) new window.Chart(canvas, config);
    });
    return figure;
  }
  let pendingCharts = [];
  function drawPendingCharts() {
    const draw = pendingCharts;
    pendingCharts = [];
    for (const fn of draw) fn();
  }

  const RESOURCE_TABLES = [
    ['accounts', 'accounts'],
    ['sqs_queues', 'SQS queues'],
    ['s3_buckets', 'S3 buckets'],
  ];

  // ---------------------------------------------------------------- summary

  function renderSummary(panel) {
    const run = D.run;
    const tables = [...new Set([...Object.keys(run.rows), ...Object.keys(run.changes)])].sort();
    const shards = run.shards.length > 0 ? run.shards.map((s) => `${s.shard || '–'} ${s.status}`).join(', ') : run.shard || 'not sharded';
    const crawls = Object.entries(run.accountCrawls).map(([status, n]) => h('span', {}, badge(status), ` ${number(n)} `));
    append(panel, [
      h('h2', { id: 'summary-title' }, `Run ${run.id}`),
      facts([
        ['Status', badge(run.status)],
        ['Started', time(run.startedAt)],
        ['Finished', time(run.finishedAt)],
        ['Duration', duration(run.durationSeconds)],
        ['Caller', h('code', {}, run.callerArn || '–')],
        ['Shards', shards],
        ['Errors', number(run.errorCount)],
        ['Account crawls', crawls.length > 0 ? crawls : '–'],
        ['Previous run', D.previousRunId === null ? 'none: this is the first run, so every row is new' : String(D.previousRunId)],
        ['Tool version', run.toolVersion || '–'],
        D.inventoryRunId !== null && D.inventoryRunId !== run.id ? ['Inventory shown', `as after run ${D.inventoryRunId} (tree, search and exposure)`] : null,
      ]),
      h('h3', {}, 'Rows and changes per table'),
      table(
        ['table', 'rows seen', 'added', 'modified', 'removed'],
        tables.map((t) => {
          const c = run.changes[t] || { added: 0, modified: 0, removed: 0 };
          return [h('code', {}, t), number(run.rows[t]), number(c.added), number(c.modified), number(c.removed)];
        }),
        { numeric: [1, 2, 3, 4] },
      ),
      h('h3', {}, 'Run by run'),
      h('div', { class: 'charts' }, historyCharts()),
      runsTable(),
    ]);
  }

  function historyCharts() {
    const labels = D.history.map((r) => `#${r.id}`);
    const counts = RESOURCE_TABLES.map(([t, label], i) => ({
      label,
      data: D.history.map((r) => (r.rows[t] === undefined ? null : r.rows[t])),
      borderColor: PALETTE[i],
      backgroundColor: PALETTE[i],
      spanGaps: true,
    }));
    const total = (r, kind) => Object.values(r.changes).reduce((n, c) => n + (c[kind] || 0), 0);
    const kinds = ['added', 'modified', 'removed'];
    const changeSets = kinds.map((kind, i) => ({ label: kind, data: D.history.map((r) => total(r, kind)), backgroundColor: [PALETTE[2], PALETTE[1], PALETTE[3]][i] }));
    return [
      chartFigure(
        'Rows per run',
        `accounts, queues and buckets seen in each of the last ${D.history.length} runs`,
        { type: 'line', data: { labels, datasets: counts }, options: { scales: { y: { beginAtZero: true } } } },
        table(['run', ...counts.map((c) => c.label)], D.history.map((r, i) => [labels[i], ...counts.map((c) => number(c.data[i]))]), { numeric: [1, 2, 3] }),
      ),
      chartFigure(
        'Changes per run',
        `rows added, modified and removed in each of the last ${D.history.length} runs`,
        { type: 'bar', data: { labels, datasets: changeSets }, options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } } },
        table(['run', ...kinds], D.history.map((r, i) => [labels[i], ...changeSets.map((c) => number(c.data[i]))]), { numeric: [1, 2, 3] }),
      ),
    ];
  }

  function runsTable() {
    const rows = [...D.history].reverse().map((r) => [String(r.id), time(r.startedAt), badge(r.status), number(r.rows.accounts), number(r.rows.sqs_queues), number(r.rows.s3_buckets), number(r.errorCount)]);
    return h('details', {}, h('summary', {}, `The last ${plural(D.history.length, 'run')}`), table(['run', 'started', 'status', 'accounts', 'queues', 'buckets', 'errors'], rows, { numeric: [3, 4, 5, 6] }));
  }

  // ---------------------------------------------------------------- organization

  /** Children of each root/OU, and totals of accounts and resources per subtree. */
  function treeModel() {
    const children = new Map();
    const kids = (id) => {
      if (!children.has(id)) children.set(id, { nodes: [], accounts: [] });
      return children.get(id);
    };
    const tops = [];
    for (const node of D.nodes) {
      if (node.parent !== null && nodesById.has(node.parent)) kids(node.parent).nodes.push(node);
      else tops.push(node);
    }
    const outside = [];
    for (const account of D.accounts) {
      if (account.parent !== null && nodesById.has(account.parent)) kids(account.parent).accounts.push(account);
      else outside.push(account);
    }
    const byName = (a, b) => String(a.name || a.id).localeCompare(String(b.name || b.id));
    // Accounts outside the tree (no organization, or a parent not inventoried) get a node of their own.
    if (outside.length > 0) kids(OUTSIDE).accounts.push(...outside);
    for (const entry of children.values()) {
      entry.nodes.sort(byName);
      entry.accounts.sort(byName);
    }
    const totals = new Map();
    const resources = (a) => a.counts.reduce((n, c) => n + c[1] + c[2], 0);
    const total = (id) => {
      if (totals.has(id)) return totals.get(id);
      const entry = children.get(id) || { nodes: [], accounts: [] };
      const t = { accounts: entry.accounts.length, resources: entry.accounts.reduce((n, a) => n + resources(a), 0) };
      for (const child of entry.nodes) {
        const c = total(child.id);
        t.accounts += c.accounts;
        t.resources += c.resources;
      }
      totals.set(id, t);
      return t;
    };
    return { children, tops: tops.sort(byName), outside: outside.sort(byName), total };
  }

  function regionSummary(account) {
    if (account.counts.length === 0) return 'no queues or buckets';
    return account.counts.map(([region, queues, buckets]) => `${D.regions[region]}: ${plural(queues, 'queue')}, ${plural(buckets, 'bucket')}`).join(' · ');
  }

  const tree = { root: null, model: null, serial: 0 };
  /** The tree node of accounts without a known parent. */
  const OUTSIDE = '(outside)';

  function accountItem(account, level, position, size) {
    const labelId = `ti-${++tree.serial}`;
    const tags = account.tags.length > 0 ? h('span', { class: 'regions' }, `tags: ${account.tags.join(', ')}`) : null;
    return h(
      'li',
      { role: 'treeitem', tabindex: '-1', 'aria-level': level, 'aria-posinset': position, 'aria-setsize': size, 'aria-labelledby': labelId, 'data-account': account.id },
      h(
        'div',
        { class: 'row' },
        h('span', { class: 'twisty', 'aria-hidden': 'true' }),
        h('span', { id: labelId }, h('span', { class: 'account-name' }, account.name || account.id), ' ', h('span', { class: 'mono muted' }, account.id), account.management ? ' (management account)' : ''),
        badge(account.state || 'state unknown', 'account state'),
        badge(account.crawlStatus || 'not crawled', 'crawl status'),
        h('span', { class: 'regions' }, regionSummary(account)),
        tags,
      ),
    );
  }

  function nodeItem(node, level, position, size) {
    const labelId = `ti-${++tree.serial}`;
    const t = tree.model.total(node.id);
    const what = node.kind === 'root' ? 'root' : node.id === OUTSIDE ? '' : 'OU';
    return h(
      'li',
      { role: 'treeitem', tabindex: '-1', 'aria-level': level, 'aria-posinset': position, 'aria-setsize': size, 'aria-expanded': 'false', 'aria-labelledby': labelId, 'data-node': node.id },
      h(
        'div',
        { class: 'row' },
        h('span', { class: 'twisty', 'aria-hidden': 'true' }),
        h('span', { id: labelId }, h('span', { class: 'node-name' }, node.name || node.id), ' ', h('span', { class: 'mono muted' }, `${what} ${node.id === OUTSIDE ? '' : node.id}`.trim())),
        h('span', { class: 'regions' }, `${plural(t.accounts, 'account')}, ${plural(t.resources, 'resource')}`),
        node.tags && node.tags.length > 0 ? h('span', { class: 'regions' }, `tags: ${node.tags.join(', ')}`) : null,
      ),
    );
  }

  /** The group of a root/OU item, built the first time it opens. */
  function ensureGroup(li) {
    let group = li.querySelector(':scope > ul[role="group"]');
    if (group) return group;
    const id = li.getAttribute('data-node');
    const level = Number(li.getAttribute('aria-level')) + 1;
    const entry = tree.model.children.get(id) || { nodes: [], accounts: [] };
    const size = entry.nodes.length + entry.accounts.length;
    group = h('ul', { role: 'group', hidden: true });
    entry.nodes.forEach((node, i) => group.append(nodeItem(node, level, i + 1, size)));
    entry.accounts.forEach((account, i) => group.append(accountItem(account, level, entry.nodes.length + i + 1, size)));
    li.append(group);
    return group;
  }

  function setExpanded(li, expanded) {
    if (!li.hasAttribute('aria-expanded')) return;
    const group = ensureGroup(li);
    li.setAttribute('aria-expanded', String(expanded));
    group.hidden = !expanded;
  }

  function visibleItems() {
    return [...tree.root.querySelectorAll('li[role="treeitem"]')].filter((li) => !li.parentElement.closest('ul[role="group"][hidden]'));
  }

  function focusItem(li) {
    const current = tree.root.querySelector('li[role="treeitem"][tabindex="0"]');
    if (current && current !== li) current.setAttribute('tabindex', '-1');
    li.setAttribute('tabindex', '0');
    li.focus();
  }

  function parentItem(li) {
    const group = li.parentElement.closest('ul[role="group"]');
    return group ? group.parentElement : null;
  }

  function onTreeKey(event) {
    const li = event.target.closest('li[role="treeitem"]');
    if (!li) return;
    const items = visibleItems();
    const index = items.indexOf(li);
    const expandable = li.hasAttribute('aria-expanded');
    const expanded = li.getAttribute('aria-expanded') === 'true';
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        if (index < items.length - 1) focusItem(items[index + 1]);
        break;
      case 'ArrowUp':
        if (index > 0) focusItem(items[index - 1]);
        break;
      case 'ArrowRight':
        if (expandable && !expanded) setExpanded(li, true);
        else if (expandable) {
          const first = ensureGroup(li).querySelector(':scope > li');
          if (first) focusItem(first);
        }
        break;
      case 'ArrowLeft':
        if (expandable && expanded) setExpanded(li, false);
        else if (parentItem(li)) focusItem(parentItem(li));
        break;
      case 'Home':
        focusItem(items[0]);
        break;
      case 'End':
        focusItem(items[items.length - 1]);
        break;
      case 'Enter':
      case ' ':
        if (expandable) setExpanded(li, !expanded);
        break;
      case '*':
        for (const sibling of li.parentElement.children) if (sibling.hasAttribute('aria-expanded')) setExpanded(sibling, true);
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  }

  function onTreeClick(event) {
    const li = event.target.closest('li[role="treeitem"]');
    if (!li || !event.target.closest('.row')) return;
    focusItem(li);
    if (li.hasAttribute('aria-expanded')) setExpanded(li, li.getAttribute('aria-expanded') !== 'true');
  }

  function expandAll(expanded) {
    // Opening builds groups as it goes, so walk until no closed item is left.
    for (;;) {
      const closed = [...tree.root.querySelectorAll(`li[aria-expanded="${!expanded}"]`)];
      if (closed.length === 0) break;
      for (const li of closed) setExpanded(li, expanded);
      if (!expanded) break;
    }
  }

  /** Opens the tree down to an account, focuses it and marks it. */
  function revealAccount(id) {
    showTab('organization');
    const account = accountsById.get(id);
    const path = account && account.parent && nodesById.has(account.parent) ? D.nodePaths[account.parent] || [account.parent] : [OUTSIDE];
    for (const nodeId of path) {
      const li = tree.root.querySelector(`li[data-node="${CSS.escape(nodeId)}"]`);
      if (li) setExpanded(li, true);
    }
    const item = tree.root.querySelector(`li[data-account="${CSS.escape(id)}"]`);
    if (!item) return;
    for (const old of tree.root.querySelectorAll('li.highlight')) old.classList.remove('highlight');
    item.classList.add('highlight');
    focusItem(item);
    item.scrollIntoView({ block: 'center' });
  }

  function renderOrganization(panel) {
    tree.model = treeModel();
    const tops = [...tree.model.tops];
    if (tree.model.outside.length > 0) tops.push({ id: OUTSIDE, name: D.nodes.length === 0 ? 'Accounts' : 'Accounts outside the tree', kind: 'ou', parent: null, tags: [] });
    tree.root = h('ul', { role: 'tree', 'aria-label': 'Organization: roots, OUs and accounts', on: { keydown: onTreeKey, click: onTreeClick } });
    tops.forEach((node, i) => tree.root.append(nodeItem(node, 1, i + 1, tops.length)));
    const first = tree.root.querySelector('li');
    if (first) {
      first.setAttribute('tabindex', '0');
      setExpanded(first, true);
    }
    const active = D.accounts.filter((a) => a.state === 'ACTIVE').length;
    append(panel, [
      h('h2', {}, 'Organization'),
      h('p', { class: 'note' }, `${plural(D.accounts.length, 'account')} (${number(active)} active) in ${plural(D.nodes.filter((n) => n.kind === 'ou').length, 'OU')}; ${plural(D.queues.length, 'queue')} and ${plural(D.buckets.length, 'bucket')} in ${plural(D.regions.length, 'region')}.`),
      h('div', { class: 'charts' }, resourceCharts()),
      h(
        'div',
        { class: 'toolbar' },
        h('button', { class: 'action', type: 'button', on: { click: () => expandAll(true) } }, 'Expand all'),
        h('button', { class: 'action', type: 'button', on: { click: () => expandAll(false) } }, 'Collapse all'),
        h('span', { class: 'note' }, 'Arrow keys move and open, Home/End jump, Enter toggles, * opens siblings.'),
      ),
      tree.root,
    ]);
  }

  function resourceCharts() {
    const regions = D.regions;
    const perRegion = regions.map(() => [0, 0]);
    for (const q of D.queues) perRegion[q[1]][0] += 1;
    for (const b of D.buckets) perRegion[b[1]][1] += 1;
    const ranked = D.accounts
      .map((a) => ({ a, n: a.counts.reduce((s, c) => s + c[1] + c[2], 0) }))
      .filter((x) => x.n > 0)
      .sort((x, y) => y.n - x.n || x.a.id.localeCompare(y.a.id))
      .slice(0, 15);
    const accountLabels = ranked.map((x) => x.a.name || x.a.id);
    const byRegion = regions.map((region, r) => ({
      label: region,
      backgroundColor: PALETTE[r % PALETTE.length],
      data: ranked.map((x) => {
        const c = x.a.counts.find((entry) => entry[0] === r);
        return c ? c[1] + c[2] : 0;
      }),
    }));
    return [
      chartFigure(
        'Resources per region',
        `SQS queues and S3 buckets in each of ${plural(regions.length, 'region')}`,
        {
          type: 'bar',
          data: { labels: regions, datasets: [{ label: 'SQS queues', data: perRegion.map((p) => p[0]), backgroundColor: PALETTE[0] }, { label: 'S3 buckets', data: perRegion.map((p) => p[1]), backgroundColor: PALETTE[1] }] },
          options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
        },
        table(['region', 'queues', 'buckets'], regions.map((region, r) => [region, number(perRegion[r][0]), number(perRegion[r][1])]), { numeric: [1, 2] }),
      ),
      chartFigure(
        ranked.length < D.accounts.length ? `Resources per account and region (the ${ranked.length} accounts with the most)` : 'Resources per account and region',
        'queues and buckets of each account, by region',
        { type: 'bar', data: { labels: accountLabels, datasets: byRegion }, options: { indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } } } },
        table(['account', ...regions], ranked.map((x, i) => [accountLabels[i], ...byRegion.map((d) => number(d.data[i]))]), { numeric: regions.map((_, i) => i + 1) }),
        true,
      ),
    ];
  }

  // ---------------------------------------------------------------- changes

  /** A JSON column's text as a value, or the text itself when it is not JSON. */
  function parsed(value) {
    if (typeof value !== 'string' || !/^[[{]/.test(value)) return value;
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }

  const isFlatObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => x === null || typeof x !== 'object');
  const scalarText = (v) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

  /**
   * One changed column: `old → new` for a plain value; key by key for a flat JSON object (tags);
   * both documents side by side for other JSON (policies).
   */
  function fieldView(f) {
    const name = h('code', { class: 'field-name' }, f.column);
    const recorded = 'before' in f;
    const before = recorded ? parsed(f.before) : undefined;
    const after = f.afterUnknown ? undefined : parsed(f.after);
    const missing = (text) => h('span', { class: 'muted' }, text);
    const beforeView = recorded ? prettyValue(f.before) : missing('not recorded');
    const afterView = f.afterUnknown ? missing('changed again in a later run') : prettyValue(f.after);
    if (recorded && !f.afterUnknown && isFlatObject(before) && isFlatObject(after)) {
      const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort().filter((k) => before[k] !== after[k]);
      return h('div', { class: 'field' }, name, h('ul', { class: 'keys' }, keys.map((k) =>
        h('li', {}, h('code', {}, k), ': ', k in before ? h('code', {}, scalarText(before[k])) : missing('(none)'), ' → ', k in after ? h('code', {}, scalarText(after[k])) : missing('(removed)')),
      )));
    }
    const structured = (v) => v !== null && typeof v === 'object';
    if (structured(before) || structured(after)) {
      return h('div', { class: 'field' }, name, h('div', { class: 'diff' }, h('div', {}, h('span', { class: 'label' }, 'before'), beforeView), h('div', {}, h('span', { class: 'label' }, 'after'), afterView)));
    }
    return h('div', { class: 'field' }, name, ': ', beforeView, ' → ', afterView);
  }

  function fieldList(fields) {
    if (fields.length === 0) return h('span', { class: 'muted' }, 'no column recorded');
    return h('div', { class: 'fields' }, fields.map(fieldView));
  }

  function renderChanges(panel) {
    const state = { table: 'all', node: 'all', kind: 'all', shown: PAGE };
    const count = h('p', { class: 'note', role: 'status' });
    const body = h('tbody');
    const more = h('button', { class: 'action', type: 'button', on: { click: () => { state.shown += PAGE; draw(); } } }, `Show ${PAGE} more`);
    const ouOptions = D.nodes.map((n) => ({ id: n.id, label: nodePathLabel(n.id) })).sort((a, b) => a.label.localeCompare(b.label));

    function matches(c) {
      if (state.table !== 'all' && D.changeTables[c[0]] !== state.table) return false;
      if (state.kind !== 'all' && c[1] !== state.kind) return false;
      if (state.node === 'all') return true;
      return c[4] !== null && (D.nodePaths[c[4]] || [c[4]]).includes(state.node);
    }

    function draw() {
      const list = D.changes.filter(matches);
      body.replaceChildren(
        ...list.slice(0, state.shown).map((c) =>
          h('tr', {},
            h('td', {}, badge(c[1])),
            h('td', {}, h('code', {}, D.changeTables[c[0]])),
            h('td', {}, c[2]),
            h('td', {}, accountLabel(c[3])),
            h('td', {}, c[4] === null ? h('span', { class: 'muted' }, 'organization') : nodePathLabel(c[4])),
            h('td', { class: 'fields-cell' }, c[5] === null ? '' : fieldList(c[5])),
          ),
        ),
      );
      count.textContent = `${plural(list.length, 'change')} match${list.length === 1 ? 'es' : ''}${list.length > state.shown ? `; the first ${number(state.shown)} are shown` : ''}.`;
      more.hidden = list.length <= state.shown;
    }

    const select = (label, key, options) =>
      h('label', {}, label, h('select', { on: { change: (e) => { state[key] = e.target.value; state.shown = PAGE; draw(); } } }, options.map(([value, text]) => h('option', { value }, text))));

    const previous = D.previousRunId === null ? 'This is the first run: every row it found is added.' : `What run ${D.run.id} found different from run ${D.previousRunId}.`;
    append(panel, [
      h('h2', {}, 'Changes since the previous run'),
      h('p', { class: 'note' }, previous, ' A modified row lists each changed column with its value before and after the run.'),
      h(
        'div',
        { class: 'toolbar' },
        select('Table', 'table', [['all', 'all tables'], ...D.changeTables.map((t) => [t, t])]),
        select('OU', 'node', [['all', 'the whole organization'], ...ouOptions.map((o) => [o.id, o.label])]),
        select('Change', 'kind', [['all', 'added, modified and removed'], ['added', 'added'], ['modified', 'modified'], ['removed', 'removed']]),
      ),
      count,
      h('div', { class: 'scroll' }, h('table', { id: 'change-list' },
        h('thead', {}, h('tr', {}, ['change', 'table', 'row', 'account', 'where', 'fields (before → after)'].map((t) => h('th', { scope: 'col' }, t)))),
        body,
      )),
      more,
    ]);
    draw();
  }

  // ---------------------------------------------------------------- errors

  function renderErrors(panel) {
    append(panel, [
      h('h2', {}, 'Errors by cause'),
      h('p', { class: 'note' }, D.errorGroups.length === 0 ? `Run ${D.run.id} recorded no errors.` : `Run ${D.run.id} recorded ${plural(D.run.errorCount, 'error')}; each group is one error on one call, with the fix the command line prints for it.`),
      D.errorGroups.map((g) =>
        h('section', { class: 'card' },
          h('h3', {}, `${g.errorCode} on ${g.service}:${g.operation}`, h('span', { class: 'muted' }, ` (${g.who})`)),
          h('p', {}, `${plural(g.count, 'error')} in ${plural(g.accounts.length, 'account')}${g.regions.length > 0 ? `, ${g.regions.join(', ')}` : ''}. IAM action: `, h('code', {}, g.action), '.'),
          h('p', { class: 'fix' }, h('strong', {}, 'Fix: '), g.fix),
          h('details', {},
            h('summary', {}, g.samples.length < g.count ? `The first ${g.samples.length} of ${number(g.count)}` : `All ${plural(g.count, 'error')}`),
            table(['account', 'region', 'resource', 'message'], g.samples.map(([account, region, resource, message]) => [accountLabel(account), region || '–', resource ? h('code', {}, resource) : '–', message])),
          ),
        ),
      ),
    ]);
  }

  // ---------------------------------------------------------------- exposure

  /** A table of many rows: the first `limit`, and a button for the rest. */
  function pagedTable(headers, rows, limit) {
    const wrapper = h('div');
    const draw = (all) => {
      const shown = all ? rows : rows.slice(0, limit);
      const more = rows.length > shown.length ? h('button', { class: 'action', type: 'button', on: { click: () => draw(true) } }, `Show all ${number(rows.length)}`) : null;
      wrapper.replaceChildren(table(headers, shown.map((r) => r())), more);
    };
    draw(false);
    return wrapper;
  }

  function renderExposure(panel) {
    const x = D.exposure;
    const LIMIT = 100;
    const sections = [
      {
        id: 'exposure-public-buckets',
        title: 'Buckets with a public policy',
        note: 'S3 reports the bucket policy as public (GetBucketPolicyStatus).',
        headers: ['account', 'bucket', 'region'],
        rows: x.publicBuckets.map(([a, name, region]) => () => [accountLabel(a), h('code', {}, name), region || '–']),
      },
      {
        id: 'exposure-open-queues',
        title: 'Queues whose policy allows any principal',
        note: 'An Allow statement with Principal "*". Its conditions, listed here, may narrow who can use it.',
        headers: ['account', 'queue', 'region', 'statements'],
        rows: x.openQueues.map(([a, name, region, statements]) => () => [
          accountLabel(a),
          h('code', {}, name),
          region || '–',
          statements.map((st) => h('div', {}, h('code', {}, st.sid), `: ${st.actions.join(', ')}`, st.conditions.length > 0 ? ` when ${st.conditions.join(', ')}` : ' with no condition')),
        ]),
      },
      {
        id: 'exposure-no-block',
        title: 'Buckets without a bucket-level public access block',
        note: 'All four settings off (none), or only some on (partial). An account-level block, which the inventory does not read, may still apply.',
        headers: ['account', 'bucket', 'region', 'block'],
        rows: x.bucketsWithoutBlock.map(([a, name, region, block]) => () => [accountLabel(a), h('code', {}, name), region || '–', badge(block)]),
      },
      {
        id: 'exposure-unencrypted',
        title: 'Resources without encryption',
        note: 'Buckets without default encryption; queues with neither SSE-SQS nor SSE-KMS.',
        headers: ['account', 'type', 'name', 'region'],
        rows: x.unencrypted.map(([a, type, name, region]) => () => [accountLabel(a), type, h('code', {}, name), region || '–']),
      },
    ];
    append(panel, [
      h('h2', {}, 'Exposure'),
      h('p', { class: 'note' }, `From the inventory as after run ${D.inventoryRunId === null ? '–' : D.inventoryRunId}.`, x.unreadable > 0 ? ` ${plural(x.unreadable, 'resource')} whose settings could not be read in that run ${x.unreadable === 1 ? 'is' : 'are'} left out of the lists those settings decide (see Errors).` : ''),
      h('ul', { class: 'summary-list' }, sections.map((sec) => h('li', {}, h('a', { href: `#${sec.id}` }, sec.title), `: ${number(sec.rows.length)}`))),
      sections.map((sec) =>
        h('section', { class: 'card', id: sec.id },
          h('h3', {}, `${sec.title} (${number(sec.rows.length)})`),
          h('p', { class: 'note' }, sec.note),
          sec.rows.length === 0 ? h('p', {}, 'None.') : pagedTable(sec.headers, sec.rows, LIMIT),
        ),
      ),
    ]);
  }

  // ---------------------------------------------------------------- search

  function renderSearch(panel) {
    const input = h('input', { type: 'search', id: 'search-input', placeholder: 'account id, name, tag, queue or bucket', autocomplete: 'off', spellcheck: 'false' });
    const results = h('div', { id: 'search-results', 'aria-live': 'polite' });
    const LIMIT = 50;
    const showButton = (accountId) => h('button', { class: 'action', type: 'button', on: { click: () => revealAccount(accountId) } }, 'Show in tree');

    function search() {
      const needle = input.value.trim().toLowerCase();
      // Which query the results are for (the results follow the typing after a short pause).
      results.setAttribute('data-query', needle);
      if (needle === '') {
        results.replaceChildren(h('p', { class: 'note' }, `Searches ${plural(D.accounts.length, 'account')}, ${plural(D.queues.length, 'queue')} and ${plural(D.buckets.length, 'bucket')}.`));
        return;
      }
      const tagHit = (tags) => tags.find((t) => t.toLowerCase().includes(needle));
      const accounts = D.accounts.filter((a) => a.id.includes(needle) || (a.name || '').toLowerCase().includes(needle) || tagHit(a.tags));
      const resourceHits = (list) => list.filter((r) => r[2].toLowerCase().includes(needle) || tagHit(r[3]));
      const groups = [
        ['Accounts', accounts, (a) => [h('span', {}, marked(a.name || a.id, needle)), ' ', h('span', { class: 'mono muted' }, marked(a.id, needle)), ' ', badge(a.state || '?'), tagHit(a.tags) ? h('span', { class: 'regions' }, ' tag ', marked(tagHit(a.tags), needle)) : null, ' ', showButton(a.id)]],
        ['Queues', resourceHits(D.queues), (r) => [h('code', {}, marked(r[2], needle)), h('span', { class: 'muted' }, ` in ${D.regions[r[1]]}, ${accountLabel(r[0])}`), tagHit(r[3]) ? h('span', { class: 'regions' }, ' tag ', marked(tagHit(r[3]), needle)) : null, ' ', showButton(r[0])]],
        ['Buckets', resourceHits(D.buckets), (r) => [h('code', {}, marked(r[2], needle)), h('span', { class: 'muted' }, ` in ${D.regions[r[1]]}, ${accountLabel(r[0])}`), tagHit(r[3]) ? h('span', { class: 'regions' }, ' tag ', marked(tagHit(r[3]), needle)) : null, ' ', showButton(r[0])]],
      ];
      const found = groups.reduce((n, g) => n + g[1].length, 0);
      results.replaceChildren(
        h('p', { class: 'note' }, found === 0 ? `Nothing matches “${input.value.trim()}”.` : `${plural(found, 'match', 'matches')}.`),
        ...groups
          .filter((g) => g[1].length > 0)
          .map(([title, list, item]) => h('section', { class: 'card' },
            h('h3', {}, `${title} (${number(list.length)})`),
            h('ul', {}, list.slice(0, LIMIT).map((entry) => h('li', {}, item(entry)))),
            list.length > LIMIT ? h('p', { class: 'note' }, `The first ${LIMIT} are shown; type more to narrow the search.`) : null,
          )),
      );
    }

    let timer = null;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(search, 120);
    });
    append(panel, [h('h2', {}, 'Search'), h('div', { class: 'toolbar' }, h('label', { for: 'search-input' }, 'Account id, account name, tag, queue or bucket name', input)), results]);
    search();
  }

  // ---------------------------------------------------------------- tabs

  const VIEWS = [
    ['summary', 'Run', renderSummary, null],
    ['organization', 'Organization', renderOrganization, D.accounts.length],
    ['changes', 'Changes', renderChanges, D.changes.length],
    ['errors', 'Errors', renderErrors, D.run.errorCount],
    ['exposure', 'Exposure', renderExposure, D.exposure.publicBuckets.length + D.exposure.bucketsWithoutBlock.length + D.exposure.openQueues.length + D.exposure.unencrypted.length],
    ['search', 'Search', renderSearch, null],
  ];
  const rendered = new Set();
  const tabs = document.getElementById('tabs');
  const main = document.getElementById('views');

  for (const [id, label, , count] of VIEWS) {
    tabs.append(h('button', { role: 'tab', id: `tab-${id}`, type: 'button', 'aria-controls': `view-${id}`, 'aria-selected': 'false', tabindex: '-1', on: { click: () => showTab(id, true) } }, label, count === null ? null : h('span', { class: 'count' }, number(count))));
    main.append(h('section', { role: 'tabpanel', id: `view-${id}`, 'aria-labelledby': `tab-${id}`, tabindex: '0', hidden: true }));
  }

  function render(id) {
    if (rendered.has(id)) return;
    rendered.add(id);
    const view = VIEWS.find((v) => v[0] === id);
    view[2](document.getElementById(`view-${id}`));
  }

  function showTab(id, fromUser) {
    for (const [other] of VIEWS) {
      const selected = other === id;
      const tab = document.getElementById(`tab-${other}`);
      tab.setAttribute('aria-selected', String(selected));
      tab.setAttribute('tabindex', selected ? '0' : '-1');
      document.getElementById(`view-${other}`).hidden = !selected;
    }
    render(id);
    drawPendingCharts();
    if (fromUser) {
      history.replaceState(null, '', `#${id}`);
      document.getElementById(`tab-${id}`).focus();
    }
  }

  tabs.addEventListener('keydown', (event) => {
    const ids = VIEWS.map((v) => v[0]);
    const current = ids.indexOf(event.target.id.replace(/^tab-/, ''));
    const next = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: ids.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    showTab(ids[(next + ids.length) % ids.length], true);
  });

  // Printing shows every view, one after another: draw them all while visible, then restore.
  let shownBeforePrint = null;
  window.addEventListener('beforeprint', () => {
    shownBeforePrint = VIEWS.map((v) => v[0]).find((id) => !document.getElementById(`view-${id}`).hidden);
    for (const [id] of VIEWS) {
      document.getElementById(`view-${id}`).hidden = false;
      render(id);
    }
    drawPendingCharts();
  });
  window.addEventListener('afterprint', () => {
    if (shownBeforePrint) showTab(shownBeforePrint, false);
  });

  const wanted = location.hash.replace(/^#/, '');
  showTab(VIEWS.some((v) => v[0] === wanted) ? wanted : 'summary', false);
  document.documentElement.setAttribute('data-ready', 'true');
  performance.mark('report-ready');
})();
