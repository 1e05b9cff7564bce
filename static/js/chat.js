/* Carrefour — the live part of a channel page (protocol v1 of /ws/, docs/realtime.md).
   Progressive enhancement only: without this file the page shows the history and its
   forms post (communities/views/chat_page.py). Plain JavaScript, no build step.

   - one WebSocket per tab at config.wsPath; ``subscribe`` with the last id seen, again
     after every reconnection (exponential backoff 1 s → 30 s with jitter), so that
     the server replays exactly what was missed;
   - sends go over the socket with a client id (crypto.randomUUID): unacknowledged
     ones stay listed « envoi… » (kept in sessionStorage across a reload) and are sent
     again, with the same id, after a reconnection — the server stores a client id
     once. When the socket is closed the form posts as without JavaScript;
   - message text is never HTML: only the server's sanitised ``html`` goes through
     innerHTML, every other text through textContent;
   - the sentences come from the page (config.strings, translated by Django).
   The DOM hooks (.chat-messages, #message-<id>, data-id, .chat-status,
   textarea[name=body]) are also those of the browser tests. */
(function () {
  "use strict";
  var configNode = document.getElementById("chat-config");
  if (!configNode || !window.WebSocket || !window.JSON) { return; }
  var config;
  try { config = JSON.parse(configNode.textContent); } catch (error) { return; }
  if (!config || !config.live) { return; }

  var S = config.strings || {};
  var me = config.user ? config.user.id : null;
  var channelId = config.channel;
  var list = document.querySelector(".chat-messages");
  var statusNode = document.querySelector(".chat-status");
  var typingNode = document.querySelector("[data-chat-typing]");
  var emptyNode = document.querySelector("[data-chat-empty]");
  var template = document.getElementById("chat-message-template");
  var form = document.querySelector("[data-chat-form]");
  var textarea = form ? form.querySelector('textarea[name="body"]') : null;
  var pendingList = form ? form.querySelector("[data-chat-pending]") : null;
  var mentionList = form ? form.querySelector("[data-chat-mentions]") : null;
  var csrfInput = document.querySelector('input[name="csrfmiddlewaretoken"]');
  if (!list || !template) { return; }

  var lastId = config.lastId || 0;
  var lastRead = config.lastRead || 0;
  var readSent = config.lastId || 0; // the page view marked these read already
  var canPost = !!config.canPost;
  var socket = null;
  var subscribed = false;
  var attempt = 0;
  var everConnected = false;
  var reconnectTimer = null;
  var pingTimer = null;
  var pongTimer = null;
  var typingSentAt = 0;
  var PING_EVERY = 25000;
  var PONG_WITHIN = 10000;
  var BACKOFF_MIN = 1000;
  var BACKOFF_MAX = 30000;
  var storageKey = "carrefour.chat.pending." + channelId;
  var separatorStale = !document.getElementById("chat-unread");

  // --- small helpers -------------------------------------------------------------

  function text(name, values) {
    var sentence = S[name] || "";
    Object.keys(values || {}).forEach(function (key) {
      sentence = sentence.split("%(" + key + ")s").join(values[key]);
    });
    return sentence;
  }

  function setStatus(sentence, kind) {
    if (!statusNode) { return; }
    statusNode.textContent = sentence || "";
    statusNode.classList.toggle("chat-status--offline", kind === "offline");
  }

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // Pages served over plain http to another host are not a secure context (no
    // randomUUID): a version 4 UUID from getRandomValues, which is always there.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function url(pattern, id, action) {
    return pattern.split("{id}").join(String(id)).split("{action}").join(action || "");
  }

  var timeFormat = null;
  try {
    timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || "fr", {
      day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"
    });
  } catch (error) { timeFormat = null; }

  function nodeOf(id) { return document.getElementById("message-" + id); }

  function nearBottom() {
    var rect = list.getBoundingClientRect();
    return rect.bottom <= window.innerHeight + 120;
  }

  function truncate(value, size) {
    value = (value || "").replace(/\s+/g, " ").trim();
    return value.length > size ? value.slice(0, size - 1) + "…" : value;
  }

  // --- the socket ------------------------------------------------------------------

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + (config.wsPath || "/ws/");
  }

  function isOpen() { return socket !== null && socket.readyState === WebSocket.OPEN; }

  function send(frame) {
    if (!isOpen()) { return false; }
    try { socket.send(JSON.stringify(frame)); } catch (error) { return false; }
    return true;
  }

  function connect() {
    window.clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (socket !== null) { return; }
    var current;
    try { current = new WebSocket(socketUrl()); } catch (error) { scheduleReconnect(); return; }
    socket = current;
    subscribed = false;
    current.addEventListener("open", function () {
      if (socket !== current) { return; }
      send({ type: "subscribe", channel: channelId, after: lastId });
      startPing();
    });
    current.addEventListener("message", function (event) {
      if (socket !== current) { return; }
      var frame;
      try { frame = JSON.parse(event.data); } catch (error) { return; }
      if (frame && typeof frame.type === "string") { handle(frame); }
    });
    current.addEventListener("close", function (event) {
      if (socket !== current) { return; }
      socket = null;
      subscribed = false;
      stopPing();
      if (event.code === 4401) { // authentication refused: retrying would not help
        setStatus(text("accessLost"), "offline");
        return;
      }
      setStatus(text("offline"), "offline");
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (reconnectTimer !== null) { return; }
    var ceiling = Math.min(BACKOFF_MAX, BACKOFF_MIN * Math.pow(2, attempt));
    attempt += 1;
    // « Equal jitter »: half the delay fixed, half random, so that tabs cut off by the
    // same restart do not all come back in the same instant.
    var delay = Math.max(BACKOFF_MIN, ceiling / 2 + Math.random() * ceiling / 2);
    reconnectTimer = window.setTimeout(connect, delay);
  }

  function drop() {
    // Close now (a dead network may leave the socket « open » for minutes).
    if (socket === null) { return; }
    var current = socket;
    socket = null;
    subscribed = false;
    stopPing();
    try { current.close(); } catch (error) { /* already closed */ }
    setStatus(text("offline"), "offline");
    scheduleReconnect();
  }

  function startPing() {
    stopPing();
    pingTimer = window.setInterval(function () {
      if (!send({ type: "ping", t: Date.now() })) { return; }
      window.clearTimeout(pongTimer);
      pongTimer = window.setTimeout(drop, PONG_WITHIN);
    }, PING_EVERY);
  }

  function stopPing() {
    window.clearInterval(pingTimer);
    window.clearTimeout(pongTimer);
    pingTimer = pongTimer = null;
  }

  window.addEventListener("offline", drop);
  window.addEventListener("online", function () {
    attempt = 0;
    if (socket === null) { connect(); }
  });

  // --- frames from the server ----------------------------------------------------------

  function handle(frame) {
    if (frame.channel !== undefined && frame.channel !== null && frame.channel !== channelId &&
        frame.type !== "error" && frame.type !== "notification") {
      return;
    }
    switch (frame.type) {
      case "caught_up": return caughtUp(frame);
      case "message": return received(frame);
      case "ack": return acknowledged(frame);
      case "message.edited": return edited(frame);
      case "message.deleted": return deleted(frame);
      case "reaction": return reacted(frame);
      case "typing": return typing(frame);
      case "pong": window.clearTimeout(pongTimer); return;
      case "access": return setCanPost(!!frame.can_post);
      case "channel.updated": return channelUpdated(frame);
      case "error": return failed(frame);
      case "notification": return notified(frame);
      default: return; // hello, presence, read, unsubscribed
    }
  }

  // A notification for this person (a mention, a reply, a direct message): the
  // header's counters go up at once, as the next page view would show them.
  function bumpBadge(name, one, many) {
    var link = document.querySelector('[data-live-badge="' + name + '"]');
    if (!link) { return; }
    var badge = link.querySelector(".badge");
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge";
      badge.setAttribute("aria-hidden", "true");
      badge.textContent = "0";
      link.appendChild(document.createTextNode(" "));
      link.appendChild(badge);
    }
    var count = (parseInt(badge.textContent, 10) || 0) + 1;
    badge.textContent = String(count);
    link.setAttribute("aria-label", text(count === 1 ? one : many, { n: count }));
  }

  function notified(frame) {
    bumpBadge("notifications", "notificationsOne", "notificationsMany");
    if (frame.kind === "community.chat_direct") {
      // A direct conversation open in this tab is marked read as it is shown.
      if (!(frame.channel === channelId && !document.hidden)) {
        bumpBadge("messages", "messagesOne", "messagesMany");
      }
    }
  }

  function caughtUp(frame) {
    subscribed = true;
    if (typeof frame.last_id === "number" && frame.last_id > lastId) { lastId = frame.last_id; }
    if (typeof frame.can_post === "boolean") { setCanPost(frame.can_post); }
    if (everConnected) { setStatus(text("reconnected")); } else { setStatus(""); }
    everConnected = true;
    attempt = 0;
    resendPending();
    markRead();
  }

  function received(frame) {
    if (frame.id > lastId) { lastId = frame.id; }
    var existing = nodeOf(frame.id);
    var wasAtBottom = nearBottom();
    if (existing) {
      fill(existing, frame);
    } else {
      var node = build(frame);
      place(node, frame.id);
      if (frame.author && frame.author.id !== me && frame.id > lastRead && (document.hidden || !wasAtBottom)) {
        separate(node);
      }
      if (wasAtBottom && !document.hidden) { node.scrollIntoView({ block: "nearest" }); }
    }
    if (frame.client_id) { settle(frame.client_id); }
    if (frame.author && typingNode) { clearTyping(frame.author.id); }
    markRead();
  }

  function acknowledged(frame) {
    if (frame.op === undefined && frame.client_id) { settle(frame.client_id); return; }
    if (frame.op === "report") { setStatus(text("reported")); }
    if (frame.op === "delete") { setStatus(text("deletedDone")); }
    if (frame.op === "edit") { setStatus(text("editedDone")); }
    if (frame.op === "react" && frame.reactions) {
      var node = nodeOf(frame.id);
      if (node) { renderReactions(node, frame.id, frame.reactions); }
    }
  }

  function edited(frame) {
    var node = nodeOf(frame.id);
    if (!node) { return; }
    node.querySelector(".chat-message__body").innerHTML = frame.html; // sanitised by the server
    var flag = node.querySelector(".chat-message__edited");
    if (flag) { flag.hidden = false; }
    var editBox = node.querySelector('[data-chat-action="edit"] textarea[name="edited_body"]');
    if (editBox) { editBox.value = frame.body; }
  }

  function deleted(frame) {
    var node = nodeOf(frame.id);
    if (!node) { return; }
    if (frame.hidden && config.moderator) {
      markHidden(node, true);
      return;
    }
    var focused = node.contains(document.activeElement);
    var next = node.nextElementSibling;
    node.parentNode.removeChild(node);
    if (focused && textarea) { textarea.focus(); }
    if (next && next.classList.contains("chat-separator") && !next.nextElementSibling) {
      next.parentNode.removeChild(next);
    }
    if (emptyNode) { emptyNode.hidden = list.querySelector(".chat-message") !== null; }
  }

  function reacted(frame) {
    var node = nodeOf(frame.id);
    if (!node) { return; }
    var change = frame.user && frame.user.id === me ? { emoji: frame.emoji, added: frame.added } : null;
    renderReactions(node, frame.id, frame.reactions || {}, change);
  }

  var typists = {};
  function typing(frame) {
    if (!frame.user || frame.user.id === me || !typingNode) { return; }
    var id = frame.user.id;
    window.clearTimeout((typists[id] || {}).timer);
    typists[id] = { name: frame.user.name, timer: window.setTimeout(function () { clearTyping(id); }, 5000) };
    showTyping();
  }
  function clearTyping(id) {
    if (!typists[id]) { return; }
    window.clearTimeout(typists[id].timer);
    delete typists[id];
    showTyping();
  }
  function showTyping() {
    var names = Object.keys(typists).map(function (id) { return typists[id].name; });
    typingNode.textContent = names.length === 0 ? "" : names.length === 1 ? text("typing", { name: names[0] }) : text("typingMany");
  }

  function channelUpdated(frame) {
    var title = document.getElementById("chat-title");
    if (title && typeof frame.name === "string") {
      title.textContent = "";
      var hash = document.createElement("span");
      hash.setAttribute("aria-hidden", "true");
      hash.textContent = "#";
      title.appendChild(hash);
      title.appendChild(document.createTextNode(frame.name));
    }
    var topic = document.querySelector(".chat__topic");
    if (topic && typeof frame.topic === "string") { topic.textContent = frame.topic; }
  }

  var retryTimer = null;
  function failed(frame) {
    if (frame.channel !== undefined && frame.channel !== channelId && !frame.client_id) { return; }
    setStatus(frame.message || text("error"), "offline");
    if (frame.code === "server_error" && frame.client_id) {
      // Our side failed (a database restarting…): the message stays pending and is
      // sent again with its client_id, which the server stores only once.
      if (!retryTimer) {
        retryTimer = window.setTimeout(function () { retryTimer = null; resendPending(); }, 3000);
      }
      return;
    }
    if (frame.client_id) {
      var item = settle(frame.client_id);
      if (item && textarea && !textarea.value) { textarea.value = item.body; }
    }
    if (frame.can_post === false) { setCanPost(false); }
    if (frame.unsubscribed) {
      subscribed = false;
      setCanPost(false);
    }
  }

  // --- messages in the page ----------------------------------------------------------

  // The blank message of the <template> names its id 0 in ids, labels and addresses
  // (« message-edit-0 », « /discussions/message/0/react/ », « ?repondre=0 »).
  var ZERO = /(^|[\/=-])0(?=$|[\/#&])/g;
  function retarget(root, id) {
    [root].concat(Array.prototype.slice.call(root.querySelectorAll("*"))).forEach(function (el) {
      ["id", "for", "href", "action"].forEach(function (name) {
        var value = el.getAttribute(name);
        if (value) { el.setAttribute(name, value.replace(ZERO, "$1" + id)); }
      });
    });
  }

  function build(frame) {
    var node = template.content.querySelector(".chat-message").cloneNode(true);
    retarget(node, frame.id);
    var mine = !!(frame.author && frame.author.id !== null && frame.author.id === me);
    node.setAttribute("data-id", String(frame.id));
    node.setAttribute("data-author", frame.author && frame.author.id !== null ? String(frame.author.id) : "");
    node.classList.toggle("chat-message--mine", mine);
    var allowed = {
      react: canPost, reply: canPost, edit: mine && canPost, delete: mine, report: !!me && !mine,
      hide: config.moderator && !frame.hidden, restore: config.moderator && !!frame.hidden,
      moderate_delete: config.moderator
    };
    Array.prototype.slice.call(node.querySelectorAll("[data-chat-only]")).forEach(function (el) {
      if (!allowed[el.getAttribute("data-chat-only")]) { el.parentNode.removeChild(el); }
    });
    var actions = node.querySelector(".chat-message__actions");
    if (actions && !actions.querySelector("[data-chat-only]")) { actions.parentNode.removeChild(actions); }
    var author = node.querySelector(".chat-message__author");
    if (author) { author.textContent = frame.author && frame.author.name ? frame.author.name : text("deletedAccount"); }
    fill(node, frame);
    return node;
  }

  function fill(node, frame) {
    var time = node.querySelector("time");
    if (time && frame.created_at) {
      time.setAttribute("datetime", frame.created_at);
      var date = new Date(frame.created_at);
      if (timeFormat && !isNaN(date.getTime())) { time.textContent = timeFormat.format(date); }
    }
    var flag = node.querySelector(".chat-message__edited");
    if (flag) { flag.hidden = !frame.edited_at; }
    node.querySelector(".chat-message__body").innerHTML = frame.html || ""; // sanitised by the server
    var editBox = node.querySelector('[data-chat-action="edit"] textarea[name="edited_body"]');
    if (editBox) { editBox.value = frame.body || ""; }
    quote(node, frame.reply_to);
    markHidden(node, !!frame.hidden);
    if (frame.reactions) { renderReactions(node, frame.id, frame.reactions); }
  }

  function quote(node, replyTo) {
    var box = node.querySelector(".chat-message__quote");
    if (!box) { return; }
    if (!replyTo) { box.hidden = true; return; }
    var parent = nodeOf(replyTo);
    var who = box.querySelector(".chat-message__quote-author");
    var what = box.querySelector(".chat-message__quote-text");
    var link = box.querySelector(".chat-message__quote-link");
    if (link) { link.setAttribute("href", url(config.messageUrl, replyTo)); }
    if (who) { who.textContent = parent ? parent.querySelector(".chat-message__author").textContent.trim() : ""; }
    if (what) {
      what.textContent = parent ? truncate(parent.querySelector(".chat-message__body").textContent, 140) : text("seeMessage");
    }
    box.hidden = false;
  }

  function markHidden(node, hidden) {
    // Moderators only: the frames do not say why (reports or a moderator's decision).
    var was = node.classList.contains("chat-message--hidden");
    node.classList.toggle("chat-message--hidden", hidden);
    var flag = node.querySelector(".chat-message__flag");
    if (flag) {
      flag.hidden = !hidden;
      if (hidden && !was) { flag.textContent = text("hidden"); }
    }
  }

  function place(node, id) {
    // In id order: a message restored by a moderator comes back where it was.
    var before = null;
    var items = list.querySelectorAll(".chat-message");
    for (var i = items.length - 1; i >= 0; i--) {
      var other = parseInt(items[i].getAttribute("data-id"), 10);
      if (other < id) { break; }
      before = items[i];
    }
    list.insertBefore(node, before);
    if (emptyNode) { emptyNode.hidden = true; }
  }

  function separate(node) {
    var separator = document.getElementById("chat-unread");
    if (separator && !separatorStale) { return; }
    if (!separator) {
      separator = document.createElement("li");
      separator.className = "chat-separator";
      separator.id = "chat-unread";
      var label = document.createElement("span");
      label.textContent = text("newMessages");
      separator.appendChild(label);
    }
    list.insertBefore(separator, node);
    separatorStale = false;
  }

  function csrfClone() {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "csrfmiddlewaretoken";
    input.value = csrfInput ? csrfInput.value : "";
    return input;
  }

  function renderReactions(node, id, counts, change) {
    var box = node.querySelector(".chat-reactions");
    if (!box) { return; }
    var mine = {};
    Array.prototype.slice.call(box.querySelectorAll("[aria-pressed]")).forEach(function (button) {
      var form = button.closest("form");
      var input = form && form.querySelector('input[name="emoji"]');
      if (input) { mine[input.value] = button.getAttribute("aria-pressed") === "true"; }
    });
    if (change) { mine[change.emoji] = change.added; }
    var visible = !node.classList.contains("chat-message--hidden");
    box.textContent = "";
    (config.reactions || []).forEach(function (reaction) {
      var count = counts[reaction.emoji] || 0;
      if (!count) { return; }
      var item = document.createElement("li");
      var face = document.createElement("span");
      face.setAttribute("aria-hidden", "true");
      face.textContent = reaction.emoji + " " + count;
      var label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = reaction.label + " (" + count + ")";
      if (canPost && visible) {
        var form = document.createElement("form");
        form.method = "post";
        form.action = url(config.actionUrl, id, "react");
        form.className = "inline-form";
        form.setAttribute("data-chat-action", "react");
        form.appendChild(csrfClone());
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "emoji";
        input.value = reaction.emoji;
        form.appendChild(input);
        var button = document.createElement("button");
        button.type = "submit";
        button.className = "chat-reaction";
        button.setAttribute("aria-pressed", mine[reaction.emoji] ? "true" : "false");
        button.appendChild(face);
        button.appendChild(label);
        form.appendChild(button);
        item.appendChild(form);
      } else {
        var span = document.createElement("span");
        span.className = "chat-reaction";
        span.appendChild(face);
        span.appendChild(label);
        item.appendChild(span);
      }
      box.appendChild(item);
    });
    box.hidden = !box.firstChild;
  }

  // --- read markers ---------------------------------------------------------------------

  function markRead() {
    if (!subscribed || document.hidden || lastId <= readSent) { return; }
    var items = list.querySelectorAll(".chat-message");
    var bottom = items.length ? items[items.length - 1] : null;
    if (bottom) {
      var rect = bottom.getBoundingClientRect();
      if (rect.top > window.innerHeight) { return; } // the newest message is not seen yet
    }
    if (send({ type: "read", channel: channelId, up_to: lastId })) {
      readSent = lastRead = lastId;
      separatorStale = true;
    }
  }
  document.addEventListener("visibilitychange", markRead);
  window.addEventListener("scroll", function () { window.requestAnimationFrame(markRead); }, { passive: true });

  // --- sending --------------------------------------------------------------------------

  var pending = [];
  try { pending = JSON.parse(window.sessionStorage.getItem(storageKey) || "[]") || []; } catch (error) { pending = []; }

  function savePending() {
    try {
      if (pending.length) { window.sessionStorage.setItem(storageKey, JSON.stringify(pending)); }
      else { window.sessionStorage.removeItem(storageKey); }
    } catch (error) { /* storage full or denied: the list lives as long as the page */ }
  }

  function renderPending() {
    if (!pendingList) { return; }
    pendingList.textContent = "";
    pending.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "chat-pending__item";
      li.setAttribute("data-client-id", item.client_id);
      var state = document.createElement("span");
      state.className = "chat-pending__state";
      state.textContent = text("sending") + " ";
      var body = document.createElement("span");
      body.textContent = truncate(item.body, 140);
      li.appendChild(state);
      li.appendChild(body);
      pendingList.appendChild(li);
    });
    pendingList.hidden = pending.length === 0;
  }

  function settle(clientId) {
    for (var i = 0; i < pending.length; i++) {
      if (pending[i].client_id === clientId) {
        var item = pending.splice(i, 1)[0];
        savePending();
        renderPending();
        return item;
      }
    }
    return null;
  }

  function resendPending() {
    pending.forEach(function (item) {
      send({ type: "send", channel: channelId, client_id: item.client_id, body: item.body, reply_to: item.reply_to || null });
    });
  }

  function setCanPost(value) {
    canPost = value;
    if (!form) { return; }
    Array.prototype.slice.call(form.querySelectorAll("textarea, button")).forEach(function (el) { el.disabled = !value; });
  }

  function replyInput() { return form ? form.querySelector('input[name="reply_to"]') : null; }

  function clearReply() {
    var input = replyInput();
    if (input) { input.value = ""; }
    var banner = form ? form.querySelector(".chat-form__reply") : null;
    if (banner) { banner.parentNode.removeChild(banner); }
  }

  if (form && textarea) {
    var keys = form.querySelector("[data-chat-keys]");
    if (keys) { keys.hidden = false; }
    textarea.setAttribute("aria-describedby", ((textarea.getAttribute("aria-describedby") || "") + " chat-keys").trim());
    if (keys) { keys.id = "chat-keys"; }

    form.addEventListener("submit", function (event) {
      var live = isOpen() && subscribed;
      // Never connected (websockets blocked on the way): the plain POST, as without
      // JavaScript. Connected once and now offline: queued, sent on reconnection.
      if (!live && !everConnected) { return; }
      event.preventDefault();
      var body = textarea.value;
      if (!body.trim()) { textarea.focus(); return; }
      var reply = replyInput();
      var item = {
        client_id: uuid(),
        body: body,
        reply_to: reply && /^\d+$/.test(reply.value) ? parseInt(reply.value, 10) : null
      };
      pending.push(item);
      savePending();
      renderPending();
      if (live) {
        send({ type: "send", channel: channelId, client_id: item.client_id, body: item.body, reply_to: item.reply_to });
      } else {
        setStatus(text("queued"), "offline");
      }
      textarea.value = "";
      clearReply();
      closeMentions();
      textarea.focus();
    });

    textarea.addEventListener("keydown", function (event) {
      if (mentionKeys(event)) { return; }
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        if (typeof form.requestSubmit === "function") { form.requestSubmit(); }
        else { form.querySelector('button[type="submit"]').click(); }
      }
    });

    textarea.addEventListener("input", function () {
      var now = Date.now();
      if (subscribed && textarea.value && now - typingSentAt > 3000) {
        typingSentAt = now;
        send({ type: "typing", channel: channelId });
      }
      mentionLookup();
    });
  }

  // « Répondre »: fill the form's reply_to instead of reloading the page.
  list.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-chat-reply]");
    if (!link || !form || !textarea) { return; }
    event.preventDefault();
    var node = link.closest(".chat-message");
    var input = replyInput();
    if (!node || !input) { return; }
    clearReply();
    input.value = node.getAttribute("data-id");
    var banner = document.createElement("p");
    banner.className = "chat-form__reply";
    banner.appendChild(document.createTextNode((S.replyTo || "") + " "));
    var who = document.createElement("strong");
    who.textContent = node.querySelector(".chat-message__author").textContent.trim();
    banner.appendChild(who);
    banner.appendChild(document.createTextNode(" : « " + truncate(node.querySelector(".chat-message__body").textContent, 140) + " » "));
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "link-button";
    cancel.textContent = S.cancelReply || "";
    cancel.addEventListener("click", function () { clearReply(); textarea.focus(); });
    banner.appendChild(cancel);
    form.insertBefore(banner, form.querySelector(".field") || form.firstChild);
    var actions = link.closest("details");
    if (actions) { actions.open = false; }
    textarea.focus();
  });

  // Per-message forms go over the socket when it is up (the page stays where it is);
  // otherwise they post as without JavaScript. Moderators' forms always post.
  list.addEventListener("submit", function (event) {
    var target = event.target;
    var action = target.getAttribute && target.getAttribute("data-chat-action");
    if (!action || !isOpen() || !subscribed) { return; }
    var node = target.closest(".chat-message");
    var id = node ? parseInt(node.getAttribute("data-id"), 10) : 0;
    if (!id) { return; }
    var frame = null;
    if (action === "react") {
      var submitter = event.submitter;
      var emoji = submitter && submitter.name === "emoji" ? submitter.value : (target.querySelector('input[name="emoji"]') || {}).value;
      if (emoji) { frame = { type: "react", id: id, emoji: emoji }; }
    } else if (action === "edit") {
      frame = { type: "edit", id: id, body: target.querySelector('textarea[name="edited_body"]').value };
    } else if (action === "delete") {
      frame = { type: "delete", id: id };
    } else if (action === "report") {
      frame = { type: "report", id: id, reason: target.querySelector('textarea[name="reason"]').value };
    }
    if (!frame || !send(frame)) { return; }
    event.preventDefault();
    Array.prototype.slice.call(node.querySelectorAll("details[open]")).forEach(function (details) { details.open = false; });
    var summary = node.querySelector(".chat-message__actions > summary");
    if (summary && action !== "delete") { summary.focus(); }
  });

  // --- « @ » completion ------------------------------------------------------------------
  // GET config.membersUrl?q= (the HTTP API, communities/api_channels.py): a list of
  // {id, handle, name}, or {"results": [...]}. Without it (404, network) the textarea
  // stays a plain textarea.

  var mentionsOff = !mentionList || !config.membersUrl || !window.fetch;
  var mentionTimer = null;
  var mentionOptions = [];
  var mentionIndex = -1;
  var mentionQuery = null;
  var HANDLE_BEFORE_CARET = /(^|[^\w.@])@([^\s@]{0,40})$/;

  function mentionLookup() {
    if (mentionsOff) { return; }
    var match = HANDLE_BEFORE_CARET.exec(textarea.value.slice(0, textarea.selectionStart));
    if (!match) { closeMentions(); return; }
    mentionQuery = match[2];
    window.clearTimeout(mentionTimer);
    mentionTimer = window.setTimeout(function () {
      var asked = mentionQuery;
      window.fetch(config.membersUrl + "?q=" + encodeURIComponent(asked), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (response) {
        if (response.status === 404 || response.status === 405) { mentionsOff = true; return null; }
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (!data || asked !== mentionQuery) { return; }
        showMentions(Array.isArray(data) ? data : (data.results || data.items || []));
      }).catch(function () { closeMentions(); });
    }, 150);
  }

  function showMentions(people) {
    mentionOptions = people.filter(function (p) { return p && p.handle; }).slice(0, 8);
    mentionList.textContent = "";
    mentionIndex = mentionOptions.length ? 0 : -1;
    mentionOptions.forEach(function (person, index) {
      var option = document.createElement("li");
      option.id = "chat-mention-" + index;
      option.setAttribute("role", "option");
      option.textContent = (person.name || person.handle) + " (@" + person.handle + ")";
      option.addEventListener("mousedown", function (event) { event.preventDefault(); chooseMention(index); });
      mentionList.appendChild(option);
    });
    mentionList.hidden = !mentionOptions.length;
    highlightMention();
  }

  function highlightMention() {
    Array.prototype.slice.call(mentionList.children).forEach(function (option, index) {
      option.setAttribute("aria-selected", index === mentionIndex ? "true" : "false");
    });
    if (mentionIndex >= 0) { textarea.setAttribute("aria-activedescendant", "chat-mention-" + mentionIndex); }
    else { textarea.removeAttribute("aria-activedescendant"); }
  }

  function closeMentions() {
    if (!mentionList) { return; }
    mentionOptions = [];
    mentionIndex = -1;
    mentionList.hidden = true;
    mentionList.textContent = "";
    if (textarea) {
      textarea.removeAttribute("aria-activedescendant");
    }
  }

  function chooseMention(index) {
    var person = mentionOptions[index];
    if (!person) { return; }
    var caret = textarea.selectionStart;
    var before = textarea.value.slice(0, caret).replace(/@[^\s@]*$/, "@" + person.handle + " ");
    textarea.value = before + textarea.value.slice(caret);
    textarea.selectionStart = textarea.selectionEnd = before.length;
    closeMentions();
    textarea.focus();
  }

  function mentionKeys(event) {
    if (!mentionOptions.length) { return false; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      mentionIndex = (mentionIndex + step + mentionOptions.length) % mentionOptions.length;
      highlightMention();
      return true;
    }
    if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      chooseMention(mentionIndex);
      return true;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      closeMentions();
      return true;
    }
    return false;
  }

  if (textarea && !mentionsOff) {
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", mentionList.id);
    textarea.addEventListener("blur", function () { window.setTimeout(closeMentions, 150); });
  }

  // --- start --------------------------------------------------------------------------------

  // A link to one message (?autour=…#message-<id>): focus it, for screen readers too.
  var hash = /^#message-(\d+)$/.exec(window.location.hash);
  if (hash && nodeOf(hash[1])) { nodeOf(hash[1]).focus(); }

  renderPending();
  setStatus(text("connecting"));
  connect();

  // For the browser tests and the curious: the socket of this tab.
  window.Carrefour = window.Carrefour || {};
  window.Carrefour.chat = {
    socket: function () { return socket; },
    drop: drop,
    pending: function () { return pending.slice(); }
  };
})();
