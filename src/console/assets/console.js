// The task console: plain browser JavaScript, no build step. It talks to the public API only.
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const state = { taskId: null, source: null };
  // The server says whether the API wants a key, so the page asks for nothing it would be refused
  // (a 401 in the browser's console before anyone typed a key).
  const authMeta = document.querySelector('meta[name="ao-auth"]');
  const keyRequired = !authMeta || authMeta.content !== 'off';

  $('api-key').value = localStorage.getItem('ao-api-key') || '';
  $('api-key').placeholder = keyRequired
    ? 'X-API-Key (required)'
    : 'not needed: authentication is off';
  $('api-key').addEventListener('change', () => {
    localStorage.setItem('ao-api-key', $('api-key').value);
    void loadAgents();
  });

  function headers() {
    const h = { 'Content-Type': 'application/json' };
    if ($('api-key').value) h['X-API-Key'] = $('api-key').value;
    return h;
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: headers(),
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok)
      throw new Error(
        (data.error && `${data.error.code}: ${data.error.message}`) || `HTTP ${res.status}`,
      );
    return data;
  }

  async function loadAgents() {
    if (keyRequired && !$('api-key').value) return;
    try {
      const agents = await api('GET', '/v1/agents');
      const chosen = $('agent').value;
      while ($('agent').options.length > 1) $('agent').remove(1);
      for (const agent of agents) {
        const option = document.createElement('option');
        option.value = agent.name;
        option.textContent = `${agent.name} (${agent.type})`;
        $('agent').appendChild(option);
      }
      // Loading again (the key changed) keeps the agent picked, if it is still there.
      $('agent').value = agents.some((a) => a.name === chosen) ? chosen : '';
    } catch {
      // Without a valid key the list stays at "Let the Peer Agent decide".
    }
  }

  function setStatus(status) {
    $('status').textContent = status;
    $('status').className = `status ${status}`;
    const finished = ['completed', 'failed', 'cancelled'].includes(status);
    $('cancel').disabled = finished || !state.taskId;
    $('submit').disabled = !finished && !!state.taskId && status !== 'idle';
  }

  function note(text) {
    const li = document.createElement('li');
    li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
    $('timeline').appendChild(li);
  }

  /** One of the output's three states: the placeholder, the live stream, or the result. */
  function show(part) {
    for (const id of ['placeholder', 'stream', 'result']) $(id).hidden = id !== part;
  }

  function reset() {
    if (state.source) state.source.close();
    $('timeline').innerHTML = '';
    $('stream').textContent = '';
    $('result').innerHTML = '';
    $('routing').textContent = '';
    $('form-error').textContent = '';
    show('placeholder');
  }

  function follow(taskId) {
    const key = $('api-key').value;
    const url = `/v1/tasks/${encodeURIComponent(taskId)}/events${key ? `?api_key=${encodeURIComponent(key)}` : ''}`;
    const source = new EventSource(url);
    state.source = source;
    source.onmessage = (e) => {
      const event = JSON.parse(e.data);
      setStatus(event.status);
      note(
        event.status +
          (event.error
            ? ` — ${event.error.code}`
            : event.error_code
              ? ` — ${event.error_code}`
              : ''),
      );
      if (['completed', 'failed', 'cancelled'].includes(event.status)) {
        source.close();
        void showResult(taskId);
      }
    };
    source.addEventListener('routing', (e) => {
      const r = JSON.parse(e.data);
      $('routing').textContent =
        `Routed to ${r.agent_name} (${r.agent_type}, confidence ${Number(r.confidence).toFixed(2)}): ${r.reasoning}`;
      note(`routed to ${r.agent_name}`);
    });
    source.addEventListener('agent_started', (e) =>
      note(`${JSON.parse(e.data).agent_name} started`),
    );
    source.addEventListener('agent_finished', (e) => {
      const d = JSON.parse(e.data);
      note(`${d.agent_name} finished in ${d.duration_ms} ms`);
    });
    source.addEventListener('delta', (e) => {
      show('stream');
      $('stream').textContent += JSON.parse(e.data).text;
      $('stream').scrollTop = $('stream').scrollHeight;
    });
    source.addEventListener('usage', (e) => {
      const u = JSON.parse(e.data);
      note(
        `${u.total_tokens} tokens${u.usd_estimate === null ? '' : `, $${Number(u.usd_estimate).toFixed(5)}`}`,
      );
    });
  }

  /**
   * The finished task, shown once: the stored answer replaces the streamed text (which was the
   * same answer, before the citation check), and its sources are one References list.
   */
  async function showResult(taskId) {
    const task = await api('GET', `/v1/tasks/${encodeURIComponent(taskId)}`);
    setStatus(task.status);
    if (task.result) {
      const citations = task.result.citations || [];
      const body = citations.length
        ? withoutReferences(task.result.raw_output || '')
        : task.result.raw_output || '';
      $('result').innerHTML = renderMarkdown(body, citations) + renderReferences(citations);
      show('result');
    } else if (task.error) {
      $('result').innerHTML =
        `<p class="error">${escapeHtml(task.error.code)}: ${escapeHtml(task.error.message)}</p>`;
      show('result');
    }
  }

  /** The answer without the "## References" section the ContentAgent appends (built again below). */
  function withoutReferences(markdown) {
    const at = markdown.search(/^## References\s*$/m);
    return at < 0 ? markdown : markdown.slice(0, at).trimEnd();
  }

  function renderReferences(citations) {
    if (!citations.length) return '';
    const items = citations.map((c) => {
      let host = '';
      try {
        host = new URL(c.url).host;
      } catch {
        // not a URL: show the title alone
      }
      return (
        `<li id="ref-${Number(c.index)}" value="${Number(c.index)}">` +
        `<a href="${escapeHtml(safeUrl(c.url))}" target="_blank" rel="noopener noreferrer">` +
        `${escapeHtml(c.title || c.url)}</a>${host ? ` <span class="muted">${escapeHtml(host)}</span>` : ''}</li>`
      );
    });
    return `<h3>References</h3><ol class="references">${items.join('')}</ol>`;
  }

  function safeUrl(url) {
    return /^https?:\/\//i.test(url) ? url : '#';
  }

  $('task-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    reset();
    const body = { task: $('task').value };
    if ($('agent').value) body.agent = $('agent').value;
    if ($('session').value) body.session_id = $('session').value;
    try {
      const accepted = await api('POST', '/v1/agent/execute', body);
      state.taskId = accepted.task_id;
      $('task-id').textContent = accepted.task_id;
      $('session').value = accepted.session_id;
      setStatus('queued');
      follow(accepted.task_id);
    } catch (err) {
      $('form-error').textContent = err.message;
    }
  });

  $('cancel').addEventListener('click', async () => {
    if (!state.taskId) return;
    try {
      await api('POST', `/v1/tasks/${encodeURIComponent(state.taskId)}/cancel`);
      note('cancellation requested');
    } catch (err) {
      $('form-error').textContent = err.message;
    }
  });

  function escapeHtml(text) {
    return String(text).replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
    );
  }

  /**
   * A small, safe markdown renderer: everything is escaped first, then a few constructs are
   * formatted. Citation markers [n] of known sources link to their References entry.
   */
  function renderMarkdown(markdown, citations = []) {
    const cited = new Set(citations.map((c) => String(c.index)));
    const blocks = [];
    const text = markdown.replace(/```(\w*)\n([\s\S]*?)```/g, (_m, lang, code) => {
      blocks.push(
        `<pre><code class="language-${escapeHtml(lang)}">${escapeHtml(code)}</code></pre>`,
      );
      return `@@block${blocks.length - 1}@@`;
    });
    const inline = (s) =>
      escapeHtml(s)
        .replace(/`([^`]+)`/g, '<code>$1</code>')
        .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
        .replace(/\*([^*]+)\*/g, '<em>$1</em>')
        .replace(
          /\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g,
          '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>',
        )
        .replace(/\[(\d+)\](?!\()/g, (m, n) =>
          cited.has(n) ? `<a class="cite" href="#ref-${n}">[${n}]</a>` : m,
        );
    const html = [];
    let list = null;
    for (const line of text.split('\n')) {
      const block = line.match(/^@@block(\d+)@@$/);
      const heading = line.match(/^(#{1,6})\s+(.*)$/);
      const item = line.match(/^\s*(?:[-*]|\d+\.)\s+(.*)$/);
      if (!item && list) {
        html.push(`</${list}>`);
        list = null;
      }
      if (block) html.push(blocks[Number(block[1])]);
      else if (heading)
        html.push(`<h${heading[1].length + 2}>${inline(heading[2])}</h${heading[1].length + 2}>`);
      else if (item) {
        const kind = /^\s*\d+\./.test(line) ? 'ol' : 'ul';
        if (!list) html.push(`<${(list = kind)}>`);
        html.push(`<li>${inline(item[1])}</li>`);
      } else if (line.trim()) html.push(`<p>${inline(line)}</p>`);
    }
    if (list) html.push(`</${list}>`);
    return html.join('\n');
  }

  setStatus('idle');
  show('placeholder');
  void loadAgents();
})();
