// Video calls and screen sharing (WebRTC), shared by the widget and the agent console.
// Signalling goes over the page's own socket as "call" frames (docs/CONTRACT.md); the
// server relays them between the customer and the agent holding the conversation.
// The side that accepts makes the offer; candidates trickle both ways. A screen is
// always the customer's ("user" side); the agent then sends only their voice.
// All text is set with textContent (widget-cards.js' el), never as HTML.
(function () {
  "use strict";
  if (window.KaipiaoCall) { return; }
  var LABELS = { video: "视频通话", screen: "屏幕共享" };
  var NO_SCREEN = "当前浏览器不支持屏幕共享（大多数手机浏览器都不支持），请在电脑上用 Chrome、Edge 或 Firefox 打开本页后再共享屏幕。";
  var NO_CALLS = "当前浏览器不支持视频通话，请使用最新版的 Chrome、Edge、Firefox 或 Safari，并通过 https 打开本页。";

  function supported() {
    return Boolean(window.RTCPeerConnection && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  function canShareScreen() {
    return Boolean(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
  }

  // What this side sends: the camera and microphone in a video call; in a screen share
  // the customer's screen (and voice, when a microphone opens) and the agent's voice.
  function localMedia(media, side) {
    var devices = navigator.mediaDevices;
    if (media === "video") {
      return devices.getUserMedia({ audio: true, video: side === "user" ? { facingMode: "user" } : true });
    }
    if (side === "agent") {
      return devices.getUserMedia({ audio: true }).catch(function () { return new MediaStream(); });
    }
    return devices.getDisplayMedia({ video: true, audio: false }).then(function (screen) {
      return devices.getUserMedia({ audio: true }).then(function (voice) {
        voice.getAudioTracks().forEach(function (track) { screen.addTrack(track); });
        return screen;
      }, function () { return screen; });
    });
  }

  // options: side ("user" | "agent"), box (an empty element), send(frame), iceServers(),
  // peer(conversationId) (how the other side is named), notice(text) (a message to the
  // person at this page), opened(conversationId) (the console opens it), changed(state).
  function controller(options) {
    var el = window.KaipiaoWidgetCards.el, button = window.KaipiaoWidgetCards.button;
    var c = { state: "idle", media: null, conversationId: null, pc: null };
    var local = null, remote = null, pending = [], muted = false, cameraOff = false;
    var ui = {};

    ui.section = el("section", { "class": "kp-call", "aria-label": "视频通话" });
    ui.status = el("p", { "class": "kp-call-status", role: "status" });
    ui.videos = el("div", { "class": "kp-call-videos" });
    ui.remote = el("video", { "class": "kp-call-remote", autoplay: "", playsinline: "", "aria-label": "对方画面" });
    ui.local = el("video", { "class": "kp-call-local", autoplay: "", playsinline: "", "aria-label": "我的画面" });
    ui.local.muted = true;  // one's own voice is not played back
    ui.videos.appendChild(ui.remote);
    ui.videos.appendChild(ui.local);
    ui.controls = el("div", { "class": "kp-call-controls" });
    ui.section.appendChild(ui.status);
    ui.section.appendChild(ui.videos);
    ui.section.appendChild(ui.controls);
    options.box.appendChild(ui.section);
    options.box.hidden = true;

    function send(fields, conversationId) {
      options.send(Object.assign({ type: "call", conversation_id: conversationId || c.conversationId, media: c.media }, fields));
    }

    function set(state, text) {
      c.state = state;
      options.box.hidden = state === "idle";
      ui.section.setAttribute("data-media", c.media || "");
      ui.status.textContent = text || "";
      render();
      if (options.changed) { options.changed(state); }
    }

    function render() {
      ui.controls.textContent = "";
      var live = c.state === "connecting" || c.state === "active";
      ui.videos.hidden = !live && c.state !== "inviting";
      ui.local.hidden = !(local && local.getVideoTracks().length);
      ui.remote.hidden = !(remote && remote.getVideoTracks().length);
      if (c.state === "ringing") {
        ui.controls.appendChild(button("接受", accept, { "class": "kp-call-accept" }));
        ui.controls.appendChild(button("拒绝", function () { decline(); }, { "class": "kp-call-decline" }));
        return;
      }
      if (live) {
        ui.controls.appendChild(button(muted ? "取消静音" : "静音", toggleMute, { "aria-pressed": String(muted) }));
        if (c.media === "video") {
          ui.controls.appendChild(button(cameraOff ? "打开摄像头" : "关闭摄像头", toggleCamera, { "aria-pressed": String(cameraOff) }));
        }
        if (!ui.remote.hidden || c.media === "screen" && options.side === "agent") {
          var full = ui.section.classList.contains("kp-call-full");
          ui.controls.appendChild(button(full ? "退出全屏" : "全屏查看", toggleFull, { "aria-pressed": String(full) }));
        }
      }
      if (c.state !== "idle") {
        var sharing = c.media === "screen" && options.side === "user" && live;
        var inviting = c.state === "inviting";
        var attrs = inviting ? { "class": "kp-call-hangup", "aria-label": "取消通话邀请" } : { "class": "kp-call-hangup" };
        ui.controls.appendChild(button(inviting ? "取消" : sharing ? "停止共享" : "挂断", function () { hangup(); }, attrs));
      }
    }

    function toggleMute() {
      muted = !muted;
      if (local) { local.getAudioTracks().forEach(function (t) { t.enabled = !muted; }); }
      render();
    }

    function toggleCamera() {
      cameraOff = !cameraOff;
      if (local) { local.getVideoTracks().forEach(function (t) { t.enabled = !cameraOff; }); }
      render();
    }

    // The whole window for the other side's picture: an invoice form shared as a screen
    // is read at full size; Escape or the button brings the page back.
    function toggleFull() {
      ui.section.classList.toggle("kp-call-full");
      render();
    }

    function media(kind) {
      if (!supported()) { return Promise.reject(new Error(NO_CALLS)); }
      if (kind === "screen" && options.side === "user" && !canShareScreen()) { return Promise.reject(new Error(NO_SCREEN)); }
      return localMedia(kind, options.side).then(function (stream) {
        local = stream;
        ui.local.srcObject = stream;
        // The customer stops sharing with the browser's own bar: that ends the share.
        stream.getVideoTracks().forEach(function (t) { t.onended = function () { if (c.state !== "idle") { hangup(); } }; });
        return stream;
      });
    }

    function failed(error) {
      var message = error && error.message;
      var text = message === NO_SCREEN || message === NO_CALLS ? message :
        error && error.name === "NotAllowedError" ? "您没有允许使用摄像头、麦克风或屏幕，" + LABELS[c.media] + "未能开始。" :
        "无法打开摄像头或麦克风，" + LABELS[c.media] + "未能开始。";
      options.notice(text);
    }

    c.invite = function (kind, conversationId) {
      if (c.state !== "idle") { return; }
      c.media = kind;
      c.conversationId = conversationId;
      if (options.opened) { options.opened(conversationId); }
      set("inviting", "正在打开" + (kind === "video" ? "摄像头和麦克风" : "麦克风") + "…");
      media(kind).then(function () {
        if (c.state !== "inviting") { stop(); return; }
        send({ action: "invite" });
        set("inviting", kind === "screen" ? "已请对方共享屏幕，等待对方接受…" : "正在等待对方接受" + LABELS[kind] + "…");
      }, function (error) { failed(error); teardown(); });
    };

    function accept() {
      if (c.state !== "ringing") { return; }
      if (options.opened) { options.opened(c.conversationId); }
      set("connecting", "正在连接…");
      media(c.media).then(function () {
        if (c.state !== "connecting") { stop(); return; }
        send({ action: "accept" });
        connect();
        ["audio", "video"].forEach(function (kind) {
          if (!local.getTracks().some(function (t) { return t.kind === kind; })) { c.pc.addTransceiver(kind, { direction: "recvonly" }); }
        });
        return c.pc.createOffer().then(function (offer) { return c.pc.setLocalDescription(offer); }).then(function () {
          send({ action: "offer", sdp: c.pc.localDescription.sdp });
        });
      }).catch(function (error) {
        if (c.pc) { failed(error); hangup(); return; }
        var reason = error && error.message === NO_SCREEN ? "unsupported" : "no_media";
        failed(error);
        decline(reason);
      });
    }

    function decline(reason) {
      send(reason ? { action: "decline", reason: reason } : { action: "decline" });
      teardown();
    }

    function hangup() {
      if (c.state === "idle") { return; }
      send({ action: "hangup" });
      teardown();
    }
    c.hangup = hangup;

    function connect() {
      var pc = new RTCPeerConnection({ iceServers: options.iceServers() || [] });
      c.pc = pc;
      KaipiaoCall.last = pc;  // for diagnostics and the browser tests (getStats)
      remote = new MediaStream();
      ui.remote.srcObject = remote;
      pc.onicecandidate = function (event) {
        if (event.candidate) { send({ action: "candidate", candidate: event.candidate.toJSON() }); }
      };
      pc.ontrack = function (event) {
        remote.addTrack(event.track);
        render();
        var playing = ui.remote.play();
        if (playing && playing.catch) { playing.catch(function () {}); }
      };
      pc.onconnectionstatechange = function () {
        if (c.pc !== pc) { return; }
        if (pc.connectionState === "connected") {
          var sharing = c.media === "screen" ? (options.side === "user" ? "您正在共享屏幕" : "客户正在共享屏幕") : "视频通话中";
          set("active", sharing + " · " + options.peer(c.conversationId));
        } else if (pc.connectionState === "failed") {
          options.notice("通话连接失败：双方网络不通。跨网络通话需要管理员配置 TURN 服务器（RTC_ICE_SERVERS）。");
          hangup();
        }
      };
      local.getTracks().forEach(function (t) { pc.addTrack(t, local); });
    }

    function answer(sdp) {
      connect();
      c.pc.setRemoteDescription({ type: "offer", sdp: sdp }).then(function () {
        flush();
        return c.pc.createAnswer();
      }).then(function (description) { return c.pc.setLocalDescription(description); }).then(function () {
        send({ action: "answer", sdp: c.pc.localDescription.sdp });
      }).catch(function () { options.notice("通话协商失败，请重试。"); hangup(); });
    }

    function candidate(init) {
      if (c.pc && c.pc.remoteDescription) { c.pc.addIceCandidate(init).catch(function () {}); } else { pending.push(init); }
    }

    function flush() {
      var waiting = pending;
      pending = [];
      waiting.forEach(candidate);
    }

    c.receive = function (frame) {
      if (frame.action === "invite") {
        if (c.state !== "idle") { send({ action: "decline", reason: "busy", media: frame.media }, frame.conversation_id); return; }
        c.media = frame.media;
        c.conversationId = frame.conversation_id;
        var who = options.peer(frame.conversation_id);
        set("ringing", frame.media === "screen" ? who + " 请您共享屏幕" : who + " 邀请您视频通话");
        return;
      }
      if (frame.conversation_id !== c.conversationId || frame.media !== c.media || c.state === "idle") { return; }
      if (frame.action === "accept" && c.state === "inviting") { set("connecting", "对方已接受，正在连接…"); }
      else if (frame.action === "decline" || frame.action === "hangup") { teardown(); }
      else if (frame.action === "offer" && !c.pc) { answer(frame.sdp); }
      else if (frame.action === "answer" && c.pc) {
        c.pc.setRemoteDescription({ type: "answer", sdp: frame.sdp }).then(flush, function () { hangup(); });
      } else if (frame.action === "candidate") { candidate(frame.candidate); }
    };

    // The server refused a call frame (the conversation is no longer held, …): end here.
    c.refused = function () { teardown(); };
    // The conversation left the agent's hands: the call ends without another word.
    c.end = function () { if (c.state !== "idle") { teardown(); } };

    function stop() {
      if (local) { local.getTracks().forEach(function (t) { t.onended = null; t.stop(); }); }
      local = null;
    }

    function teardown() {
      stop();
      if (c.pc) { c.pc.close(); }
      c.pc = null;
      remote = null;
      pending = [];
      muted = cameraOff = false;
      ui.local.srcObject = null;
      ui.remote.srcObject = null;
      ui.section.classList.remove("kp-call-full");
      set("idle");
    }

    // Escape leaves the full-window view first (captured: the widget's panel stays open).
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && ui.section.classList.contains("kp-call-full")) {
        event.stopPropagation();
        event.preventDefault();
        toggleFull();
      }
    }, true);
    return c;
  }

  window.KaipiaoCall = { controller: controller, supported: supported, canShareScreen: canShareScreen, last: null, LABELS: LABELS };
})();
