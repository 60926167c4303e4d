// The l2d2c dashboard's script: plain browser JavaScript, no build step. It reads one snapshot a
// second from the daemon's event stream (/v1/dashboard/events, its session cookie) and redraws.
// Everything a peer announced (task keys, origins) is untrusted text: it only ever reaches the
// page through textContent, never as HTML.
;(() => {
  const $ = id => document.getElementById(id)
  const UNKNOWN = 'unknown'

  /** An element with attributes and children (strings become text nodes). */
  const el = (tag, attrs = {}, ...children) => {
    const e = document.createElement(tag)
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null) continue
      if (k === 'text') e.textContent = String(v)
      else if (k === 'class') e.className = v
      else e.setAttribute(k, String(v))
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)))
    return e
  }
  const unknown = () => el('span', { class: 'unknown', text: UNKNOWN })
  const short = id => (typeof id === 'string' && id.length > 14 ? `${id.slice(0, 6)}…${id.slice(-6)}` : String(id))
  const num = (v, digits = 3) =>
    typeof v === 'number' && Number.isFinite(v) ? Number(v.toFixed(digits)).toLocaleString('en-US') : null
  const bytes = v => {
    if (typeof v !== 'number') return null
    const units = ['B', 'kB', 'MB', 'GB']
    let i = 0
    let x = v
    while (x >= 1000 && i < units.length - 1) {
      x /= 1000
      i++
    }
    return `${x.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
  }
  const duration = s => {
    if (typeof s !== 'number') return null
    const h = Math.floor(s / 3600)
    const m = Math.floor((s % 3600) / 60)
    return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`
  }
  const ago = iso => {
    const t = Date.parse(iso)
    if (!Number.isFinite(t)) return null
    const s = Math.max(0, Math.round((Date.now() - t) / 1000))
    return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : new Date(t).toLocaleString()
  }

  /** Facts as a definition list: [label, value (string | null → "unknown"), tooltip, test id]. */
  const facts = (dl, rows) => {
    dl.replaceChildren(
      ...rows.map(([label, value, tip, id]) =>
        el(
          'div',
          { title: tip, 'data-fact': id },
          el('dt', { text: label }),
          el('dd', {}, value === null || value === undefined ? unknown() : value)
        )
      )
    )
  }

  const origin = (o, self) => (o === self || o === '' ? 'this node' : short(o))

  function renderNode(s) {
    const st = s.status
    $('role').textContent = `${st.role} ${short(st.peerId)}`
    const learned = st.tasksLearned
    const adopted = s.masks.filter(m => m.origin !== st.peerId).length
    facts($('node-facts'), [
      ['peer id', short(st.peerId), `This node's libp2p peer id: ${st.peerId}`, 'peer-id'],
      ['role', st.role, 'learner: trains and shares masks; evaluator: measures the masks of the swarm', 'role'],
      ['backend', st.backend, 'The TensorFlow.js backend the learner runs on', 'backend'],
      [
        'reachability',
        typeof st.reachability === 'string' ? st.reachability : null,
        'Whether peers on other networks can dial this node (public, behind NAT, relayed); unknown when this version does not measure it',
        'reachability'
      ],
      ['uptime', duration(st.uptimeSeconds), 'Time since this daemon started', 'uptime'],
      [
        'own ICR',
        num(st.ownIcr),
        'Own ICR: the sum over the curriculum of the return this node gets on each task with the masks it holds, from its latest sweep (none yet, or an evaluator: unknown)',
        'own-icr'
      ],
      [
        'masks held',
        `${s.masks.length} (${s.masks.length - adopted} own, ${adopted} adopted)`,
        'Masks this node holds: trained here, or adopted from a peer after verifying them',
        'masks-held'
      ],
      [
        'tasks mastered',
        `${learned} learned, ${st.tasksAdopted} adopted`,
        'Curriculum tasks that reached the mastery threshold by own training, or by adopting a peer mask',
        'tasks'
      ],
      [
        'curriculum',
        `${Math.min(st.curriculum.index, st.curriculum.tasks)}/${st.curriculum.tasks}${st.curriculum.done ? ' (done)' : ''}`,
        'Tasks of the curriculum finished so far, out of all',
        'curriculum'
      ],
      [
        'env steps',
        num(st.totalSteps, 0),
        'Training env steps this node has taken (evaluations not included)',
        'steps'
      ],
      ['steps/s', num(st.stepsPerSecond, 0), 'Training speed over the recent iterations', 'steps-per-second'],
      [
        'peers',
        `${st.peersConnected} connected, ${s.peers.length} known`,
        'Peers with an open connection now, and all peers this node knows',
        'peers'
      ],
      [
        'sent',
        bytes(st.bytesSent),
        'Bytes this node sent on the l2d2c protocols and announcements since it started',
        'sent'
      ],
      [
        'received',
        bytes(st.bytesReceived),
        'Bytes this node received on the l2d2c protocols and announcements since it started',
        'received'
      ]
    ])
    const task = st.task
    const bar = $('task-progress')
    if (task === null) {
      $('task-label').textContent = st.role === 'evaluator' ? 'evaluating the swarm' : 'no task (curriculum done)'
      bar.max = 1
      bar.value = st.curriculum.done ? 1 : 0
    } else {
      $('task-label').textContent = `${task.key}: ${num(task.steps, 0)} of ${num(task.budget, 0)} steps`
      bar.max = Math.max(1, task.budget)
      bar.value = Math.min(task.steps, task.budget)
    }
    bar.dataset.steps = String(task?.steps ?? 0)
  }

  function renderMasks(s) {
    const self = s.status.peerId
    $('masks')
      .querySelector('tbody')
      .replaceChildren(
        ...s.masks.map(m =>
          el(
            'tr',
            { 'data-task': m.taskKey },
            el(
              'td',
              {},
              el('button', {
                type: 'button',
                'data-play': m.taskKey,
                title: `Run one episode of ${m.taskKey}`,
                text: '▶'
              })
            ),
            el('td', { text: m.taskKey }),
            el('td', { text: num(m.reward) ?? '' }),
            el('td', { text: num(m.steps, 0) ?? '' }),
            el('td', { class: 'origin', title: m.origin, text: origin(m.origin, self) }),
            el('td', { title: m.cid, text: short(m.cid) })
          )
        )
      )
  }

  /** The linked site daemons whose page can be opened now, by peer id. */
  const openable = s => new Map((s.linked ?? []).filter(l => l.available && l.peerId !== null).map(l => [l.peerId, l]))

  /** The "open dashboard" button of a linked daemon (the click is handled once, below, for every table). */
  const openButton = peerId =>
    el('button', {
      type: 'button',
      class: 'open-dashboard',
      'data-open-dashboard': peerId,
      title: `Open the dashboard of ${peerId}, logged in (a one-time code this daemon asks it for)`,
      text: 'open dashboard'
    })

  function renderPeers(s) {
    const linked = openable(s)
    const site = new Map((s.linked ?? []).filter(l => l.peerId !== null).map(l => [l.peerId, l]))
    $('peers')
      .querySelector('tbody')
      .replaceChildren(
        ...s.peers.map(p =>
          el(
            'tr',
            { 'data-peer': p.peerId },
            el('td', { title: p.peerId, text: short(p.peerId) }),
            el('td', {}, p.role ?? unknown()),
            el('td', { text: p.connected ? 'yes' : 'no' }),
            el('td', {}, p.connection ?? unknown()),
            el(
              'td',
              {
                class: 'wrap',
                title: p.announced.map(m => `${m.taskKey}: ${num(m.reward)} (trained by ${m.origin})`).join('\n')
              },
              p.announced.length === 0
                ? 'none'
                : p.announced
                    .map(
                      m =>
                        `${m.taskKey} (${origin(m.origin, p.peerId) === 'this node' ? 'own' : `from ${short(m.origin)}`})`
                    )
                    .join(', ')
            ),
            el('td', {}, num(p.ownIcr) ?? unknown()),
            el('td', { text: num(p.totalSteps, 0) ?? '' }),
            el('td', { title: p.lastSeen, text: ago(p.lastSeen) ?? '' }),
            el(
              'td',
              {},
              linked.has(p.peerId)
                ? openButton(p.peerId)
                : site.has(p.peerId)
                  ? el('span', { class: 'unknown', title: site.get(p.peerId).reason ?? '', text: 'unavailable' })
                  : ''
            )
          )
        )
      )
    drawGraph(s)
  }

  /** The site daemons this one links to (--link-dashboard), peers or not; hidden when there are none. */
  function renderSite(s) {
    const linked = s.linked ?? []
    $('site').hidden = linked.length === 0
    $('site-daemons')
      .querySelector('tbody')
      .replaceChildren(
        ...linked.map(l =>
          el(
            'tr',
            { 'data-site-dir': l.dataDir },
            el('td', { title: l.dataDir, text: l.dataDir.split('/').filter(Boolean).pop() ?? l.dataDir }),
            el('td', {}, l.peerId === null ? unknown() : el('span', { title: l.peerId, text: short(l.peerId) })),
            el('td', {}, l.role ?? unknown()),
            el('td', { title: l.reason ?? 'runs and answers', text: l.available ? 'running' : 'unavailable' }),
            el('td', {}, l.available && l.peerId !== null ? openButton(l.peerId) : '')
          )
        )
      )
  }

  /**
   * Opens a linked daemon's page: this daemon (with this page's session cookie) asks that daemon
   * for a one-time login URL and answers with it; the browser then goes there and is logged in.
   * Only an http:// URL is followed (it is the sibling's loopback address).
   */
  document.addEventListener('click', async ev => {
    const button = ev.target instanceof Element ? ev.target.closest('[data-open-dashboard]') : null
    if (button === null) return
    const peer = button.getAttribute('data-open-dashboard')
    const status = $('linked-status')
    button.disabled = true
    status.hidden = true
    try {
      const res = await fetch(`/v1/dashboard/linked-login?peer=${encodeURIComponent(peer)}`, {
        method: 'POST',
        credentials: 'same-origin'
      })
      const body = await res.json()
      if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`)
      if (typeof body.url !== 'string' || !body.url.startsWith('http://')) throw new Error('no login URL in the answer')
      window.location.assign(body.url)
    } catch (err) {
      status.textContent = `cannot open the dashboard of ${short(peer)}: ${err.message}`
      status.hidden = false
      button.disabled = false
    }
  })

  /**
   * This node in the middle, its peers around it: solid lines to connected peers, dashed to known
   * ones; a ring marks a site daemon whose dashboard opens from here.
   */
  function drawGraph(s) {
    const linked = openable(s)
    const svg = $('swarm-graph')
    const ns = 'http://www.w3.org/2000/svg'
    const node = (tag, attrs) => {
      const e = document.createElementNS(ns, tag)
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v))
      return e
    }
    const parts = []
    const n = s.peers.length
    s.peers.forEach((p, i) => {
      const a = (2 * Math.PI * i) / Math.max(1, n) - Math.PI / 2
      const x = 80 * Math.cos(a)
      const y = 80 * Math.sin(a)
      parts.push(
        node('line', {
          x1: 0,
          y1: 0,
          x2: x,
          y2: y,
          stroke: p.connected ? '#15803d' : '#9ca3af',
          'stroke-dasharray': p.connected ? '' : '4 3'
        })
      )
      const onSite = linked.has(p.peerId)
      const c = node('circle', {
        cx: x,
        cy: y,
        r: 9,
        fill: p.role === 'evaluator' ? '#f59e0b' : '#60a5fa',
        // a ring: a daemon of this machine whose dashboard opens from here
        stroke: onSite ? '#1d232a' : 'none',
        'stroke-width': 2
      })
      const t = node('title', {})
      t.textContent = `${p.peerId} (${p.role ?? 'role unknown'}, ${p.connected ? 'connected' : 'not connected'}${onSite ? ', a site daemon: open its dashboard from the table' : ''})`
      c.append(t)
      parts.push(c)
      const label = node('text', { x, y: y + 18, 'text-anchor': 'middle' })
      label.textContent = short(p.peerId).slice(0, 6)
      parts.push(label)
    })
    const me = node('circle', { cx: 0, cy: 0, r: 12, fill: '#2563eb' })
    const t = node('title', {})
    t.textContent = `this node: ${s.status.peerId}`
    me.append(t)
    parts.push(me)
    svg.replaceChildren(...parts)
  }

  function renderContribution(s) {
    const st = s.status
    facts($('contribution-facts'), [
      [
        'masks served',
        num(st.masksServed, 0),
        'Complete mask transfers this node sent to peers since it started',
        'served'
      ],
      [
        'masks adopted',
        num(st.masksAdopted, 0),
        'Peer masks this node verified and adopted since it started',
        'adopted'
      ],
      [
        'steps saved',
        num(st.stepsSaved, 0),
        'Estimated training env steps adoption saved (per adopted task: the mean steps to master a task it learned, less the steps spent on the adopted one)',
        'steps-saved'
      ]
    ])
    const list = (ul, items, empty) =>
      ul.replaceChildren(...(items.length === 0 ? [el('li', { class: 'unknown', text: empty })] : items))
    list(
      $('adopted-from-us'),
      s.adoptedFromUs.map(a => el('li', { title: a.peerId, text: `${short(a.peerId)} holds ${a.taskKey}` })),
      'no peer announces a mask trained here yet'
    )
    list(
      $('adoptions'),
      s.adoptions.map(a =>
        el('li', {
          title: `from ${a.from}, trained by ${a.origin}, at ${a.at}`,
          text: `${a.taskKey}: from ${short(a.from)}${a.origin !== a.from ? ` (trained by ${short(a.origin)})` : ''}, return ${num(a.verifiedReward)}${a.previousReward !== null ? ` (was ${num(a.previousReward)})` : ''}`
        })
      ),
      'none yet'
    )
  }

  // ---- charts (uPlot) ----
  const charts = {}
  const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777']

  /** Draws [x, ...series] into a box, rebuilding the chart only when its series change. */
  function chart(id, xLabel, names, data) {
    const box = $(id)
    const points = data.slice(1).reduce((n, ys) => n + ys.filter(v => v !== null && v !== undefined).length, 0)
    box.dataset.points = String(points)
    if (typeof uPlot === 'undefined') return
    if (data[0].length === 0) {
      charts[id]?.destroy()
      delete charts[id]
      box.replaceChildren(el('div', { class: 'empty', text: 'no data yet' }))
      return
    }
    const key = names.join('\n')
    const width = Math.max(200, box.clientWidth)
    let c = charts[id]
    if (c === undefined || c.key !== key) {
      c?.destroy()
      box.replaceChildren()
      const u = new uPlot(
        {
          width,
          height: 200,
          scales: { x: { time: false } },
          axes: [{ label: xLabel }, {}],
          series: [
            { label: xLabel },
            ...names.map((name, i) => ({
              label: name,
              stroke: palette[i % palette.length],
              width: 1.5,
              spanGaps: false,
              points: { show: true, size: 4 }
            }))
          ]
        },
        data,
        box
      )
      c = { u, key }
      charts[id] = c
    } else {
      c.u.setData(data)
      if (Math.abs(c.u.width - width) > 4) c.u.setSize({ width, height: 200 })
    }
  }

  // A narrower (or wider) window resizes the charts at once, not at the next snapshot.
  window.addEventListener('resize', () => {
    for (const [id, c] of Object.entries(charts)) c.u.setSize({ width: Math.max(200, $(id).clientWidth), height: 200 })
  })

  /** Rows with an x and per-name values → uPlot's aligned columns (null where a name has no value). */
  function columns(rows, names) {
    const xs = rows.map(r => r.x)
    return [xs, ...names.map(n => rows.map(r => (n in r.y && Number.isFinite(r.y[n]) ? r.y[n] : null)))]
  }

  function renderCharts(s) {
    if (s.status.role === 'evaluator') {
      $('chart-a-title').textContent = 'Return per task (evaluation cycles)'
      $('chart-b-title').textContent = 'Collective ICR per cycle'
      const rows = s.evaluation.map((r, i) => ({ x: i + 1, y: r.perTask }))
      chart('chart-a', 'cycle', s.tasks, columns(rows, s.tasks))
      chart(
        'chart-b',
        'cycle',
        ['ICR'],
        columns(
          s.evaluation.map((r, i) => ({ x: i + 1, y: { ICR: r.icr } })),
          ['ICR']
        )
      )
      return
    }
    const tasks = [...new Set(s.training.map(p => p.taskKey))]
    chart(
      'chart-a',
      'env steps',
      tasks,
      columns(
        s.training.filter(p => p.meanReturn !== null).map(p => ({ x: p.steps, y: { [p.taskKey]: p.meanReturn } })),
        tasks
      )
    )
    chart(
      'chart-b',
      'env steps',
      ['own ICR'],
      columns(
        s.ownIcr.map(p => ({ x: p.steps, y: { 'own ICR': p.ownIcr } })),
        ['own ICR']
      )
    )
  }

  // ---- log tail ----
  const LEVELS = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }
  let lastLogs = []
  function renderLogs() {
    const min = Number($('log-level').value)
    const pre = $('logs')
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4
    pre.replaceChildren(
      ...lastLogs
        .filter(l => l.level >= min)
        .map(l =>
          el('div', {
            class: LEVELS[l.level] ?? '',
            text: `${l.time > 0 ? new Date(l.time).toLocaleTimeString() : ''} ${LEVELS[l.level] ?? l.level} ${l.msg} ${l.fields}`
          })
        )
    )
    if (atBottom) pre.scrollTop = pre.scrollHeight
  }
  $('log-level').addEventListener('change', renderLogs)

  // ---- watch a mask play ----
  const player = { doc: null, frame: 0, timer: null }
  function showFrame() {
    const d = player.doc
    if (d === null) return
    const f = d.frames[player.frame]
    $('play-caption').textContent =
      `frame ${player.frame + 1}/${d.frames.length}${f.action !== null ? `, action ${f.action}` : ' (reset)'}${f.reward !== 0 ? `, reward ${num(f.reward)}` : ''}${f.done ? ', done' : ''}: ${f.caption}`
    const canvas = $('play-image')
    const grid = $('play-grid')
    canvas.hidden = f.image === null
    grid.hidden = f.grid === null
    if (f.grid !== null) grid.textContent = f.grid
    if (f.image !== null && d.side !== null) {
      canvas.width = d.side
      canvas.height = d.side
      const ctx = canvas.getContext('2d')
      const img = ctx.createImageData(d.side, d.side)
      f.image.forEach((v, i) => {
        img.data.set([v, v, v, 255], i * 4)
      })
      ctx.putImageData(img, 0, 0)
    }
  }
  const stopPlaying = () => {
    clearInterval(player.timer)
    player.timer = null
    $('play-toggle').textContent = 'play'
  }
  $('play-prev').addEventListener('click', () => {
    stopPlaying()
    player.frame = Math.max(0, player.frame - 1)
    showFrame()
  })
  $('play-next').addEventListener('click', () => {
    stopPlaying()
    if (player.doc !== null) player.frame = Math.min(player.doc.frames.length - 1, player.frame + 1)
    showFrame()
  })
  $('play-toggle').addEventListener('click', () => {
    if (player.timer !== null || player.doc === null) {
      stopPlaying()
      return
    }
    if (player.frame >= player.doc.frames.length - 1) player.frame = 0
    $('play-toggle').textContent = 'pause'
    player.timer = setInterval(() => {
      if (player.frame >= player.doc.frames.length - 1) stopPlaying()
      else {
        player.frame++
        showFrame()
      }
    }, 400)
    showFrame()
  })
  $('play-close').addEventListener('click', () => {
    stopPlaying()
    $('play').hidden = true
  })
  $('masks').addEventListener('click', async ev => {
    const task = ev.target instanceof Element ? ev.target.getAttribute('data-play') : null
    if (task === null) return
    stopPlaying()
    $('play').hidden = false
    $('play-title').textContent = `Watch ${task}`
    $('play-caption').textContent = 'running one episode…'
    player.doc = null
    try {
      const res = await fetch(`/v1/dashboard/play?task=${encodeURIComponent(task)}`, { credentials: 'same-origin' })
      const body = await res.json()
      if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`)
      player.doc = body
      player.frame = 0
      $('play-title').textContent = `Watch ${body.taskKey}: return ${num(body.totalReward)} (mask ${short(body.cid)})`
      showFrame()
    } catch (err) {
      $('play-caption').textContent = `cannot play: ${err.message}`
    }
  })

  // ---- live updates ----
  function render(s) {
    const parts = [renderNode, renderMasks, renderPeers, renderSite, renderContribution, renderCharts]
    for (const part of parts) {
      try {
        part(s)
      } catch (err) {
        // One part failing (an unexpected document) must not blank the others.
        console.error(err)
      }
    }
    lastLogs = s.logs
    renderLogs()
    document.body.dataset.updated = s.time
  }

  const live = $('live')
  const events = new EventSource('/v1/dashboard/events')
  events.addEventListener('snapshot', ev => {
    live.textContent = 'live'
    live.className = 'live ok'
    render(JSON.parse(ev.data))
  })
  events.addEventListener('error', () => {
    live.textContent = 'disconnected: retrying (reload to log in again if the daemon restarted)'
    live.className = 'live down'
  })
})()
