// The console's knowledge page: review what users asked, edit entries, preview, publish,
// versions and rollback, import and export. Editors change the base; a company's admin
// reads its own company's questions. All text is set with textContent, never as HTML.
(function () {
  "use strict";
  var TOKEN = "kaipiao.knowledge.token";
  var KINDS = { unanswered: "未能回答", low_confidence: "把握不大", thumbs_down: "用户点了没用" };
  var STATUS = { active: "使用中", draft: "草稿", deleted: "已删除" };
  var s = { token: sessionStorage.getItem(TOKEN), me: null, editing: null };
  var $ = function (id) { return document.getElementById(id); };

  // widget-cards.js (loaded first by the page) is the one home of the DOM helper.
  var el = window.KaipiaoWidgetCards.el;

  function call(method, path, body, raw) {
    var init = { method: method, headers: { Authorization: "Bearer " + s.token } };
    if (body instanceof FormData) { init.body = body; }
    else if (body !== undefined) { init.headers["content-type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch("/api/v1" + path, init).then(function (response) {
      if (response.status === 401) { logout(); throw new Error("登录已过期，请重新登录"); }
      if (raw && response.ok) { return response; }
      return response.json().then(function (data) {
        if (!response.ok) {
          var error = new Error((data.error && data.error.message) || "请求失败");
          error.detail = data.error || {};
          throw error;
        }
        return data;
      });
    });
  }

  function notice(text, bad) {
    $("notice").textContent = text;
    $("notice").className = "notice" + (bad ? " bad" : "");
  }
  function fail(error) { notice(error.message, true); }
  function isEditor() { return s.me && s.me.role === "editor"; }

  function login(event) {
    event.preventDefault();
    var body = { username: $("login-username").value, password: $("login-password").value };
    fetch("/api/v1/auth/token", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (d) { if (!r.ok) { throw new Error(d.error ? d.error.message : "登录失败"); } return d; }); })
      .then(function (d) { s.token = d.access_token; sessionStorage.setItem(TOKEN, s.token); start(); })
      .catch(function (e) { $("login-error").textContent = e.message; });
  }

  function logout() {
    s.token = null; s.me = null;
    sessionStorage.removeItem(TOKEN);
    $("app").hidden = true; $("login-view").hidden = false;
  }

  function start() {
    call("GET", "/auth/me").then(function (me) {
      if (me.role !== "editor" && me.role !== "admin") {
        logout();
        $("login-error").textContent = "只有知识库编辑和企业管理员可以使用知识库管理。";
        return;
      }
      s.me = me;
      $("me").textContent = me.display_name + "（" + (me.role === "editor" ? "知识库编辑" : "企业管理员") + "）";
      Array.prototype.forEach.call(document.querySelectorAll("[data-editor]"), function (node) { node.hidden = !isEditor(); });
      $("login-view").hidden = true; $("app").hidden = false;
      loadReview(); loadEntries();
    }).catch(function () { logout(); });
  }

  function loadReview(event) {
    if (event) { event.preventDefault(); }
    call("GET", "/knowledge/review?days=" + $("review-days").value).then(function (data) {
      var list = $("review");
      list.textContent = "";
      if (!data.groups.length) { list.appendChild(el("li", { "class": "muted" }, "这段时间没有待处理的问题。")); }
      data.groups.forEach(function (g) { list.appendChild(reviewGroup(g)); });
    }).catch(fail);
  }

  function reviewGroup(g) {
    var li = el("li", { "class": "group" });
    var head = el("p", { "class": "group-head" });
    head.appendChild(el("strong", {}, g.question));
    head.appendChild(el("span", { "class": "count" }, g.count + " 次"));
    Object.keys(g.kinds).forEach(function (k) { head.appendChild(el("span", { "class": "tag" }, (KINDS[k] || k) + " " + g.kinds[k])); });
    li.appendChild(head);
    if (g.questions.length > 1) { li.appendChild(el("p", { "class": "muted" }, "同类问法：" + g.questions.slice(1).join(" ｜ "))); }
    var row = el("div", { "class": "row" });
    g.entry_ids.forEach(function (id) {
      row.appendChild(button("打开条目 " + id, function () { openEntry(id); }));
      if (isEditor()) { row.appendChild(button("加为 " + id + " 的问法", function () { openEntry(id, g.question); })); }
    });
    if (isEditor()) { row.appendChild(button("据此新建条目", function () { newEntry(g.question); })); }
    g.conversation_ids.forEach(function (id) {
      row.appendChild(el("a", { href: "/console?conversation=" + encodeURIComponent(id), target: "_blank", rel: "noopener" }, "会话 " + id.slice(0, 8)));
    });
    li.appendChild(row);
    return li;
  }

  function button(label, onClick, attrs) {
    var b = el("button", Object.assign({ type: "button" }, attrs || {}), label);
    b.addEventListener("click", onClick);
    return b;
  }

  function loadEntries(event) {
    if (event) { event.preventDefault(); }
    call("GET", "/knowledge/entries?q=" + encodeURIComponent($("filter").value.trim())).then(function (data) {
      var list = $("entries");
      list.textContent = "";
      data.entries.slice(0, 200).forEach(function (e) {
        var li = el("li");
        var b = button(e.question, function () { openEntry(e.id); });
        b.appendChild(el("span", { "class": "sub" }, e.id + " · " + (STATUS[e.status] || e.status) +
          (e.edited ? " · 后台修改于 " + e.updated_at.slice(0, 16).replace("T", " ") + "（" + e.updated_by + "）" : "")));
        li.appendChild(b);
        list.appendChild(li);
      });
      if (data.entries.length > 200) { list.appendChild(el("li", { "class": "muted" }, "共 " + data.entries.length + " 条，请用筛选缩小范围。")); }
    }).catch(fail);
  }

  function openEntry(id, extraPhrasing) {
    call("GET", "/knowledge/entries/" + encodeURIComponent(id)).then(function (data) {
      fill(data.entry, extraPhrasing);
      versions(data.versions);
    }).catch(fail);
  }

  function newEntry(question) {
    fill({ id: "", question: question || "", questions: [], answer: "", tags: [], sources: [], effective_date: "" });
    versions([]);
  }

  function fill(entry, extraPhrasing) {
    s.editing = entry.id || null;
    $("editor").hidden = false;
    $("editor-title").textContent = entry.id ? "编辑条目 " + entry.id : "新建条目";
    $("f-id").value = entry.id; $("f-id").readOnly = Boolean(entry.id);
    $("f-question").value = entry.question;
    $("f-questions").value = entry.questions.concat(extraPhrasing ? [extraPhrasing] : []).join("\n");
    $("f-answer").value = entry.answer;
    $("f-sources").value = entry.sources.map(function (x) { return [x.name, x.article, x.url].filter(Boolean).join(" "); }).join("\n");
    $("f-effective").value = entry.effective_date || "";
    $("f-tags").value = entry.tags.join("、");
    $("preview-question").value = extraPhrasing || entry.question;
    $("preview").textContent = "";
    Array.prototype.forEach.call($("entry-form").elements, function (node) { if (node.id !== "close-editor") { node.disabled = !isEditor(); } });
    $("close-editor").disabled = false;
    $("editor").scrollIntoView();
  }

  function lines(text) { return text.split("\n").map(function (x) { return x.trim(); }).filter(Boolean); }

  function formEntry() {
    return {
      question: $("f-question").value.trim(),
      questions: lines($("f-questions").value),
      answer: $("f-answer").value.trim(),
      sources: lines($("f-sources").value),
      effective_date: $("f-effective").value,
      tags: $("f-tags").value.split(/[、,，\s]+/).filter(Boolean),
      checked: new Date().toISOString().slice(0, 10)
    };
  }

  function save(event) {
    event.preventDefault();
    var id = $("f-id").value.trim();
    call("PUT", "/knowledge/entries/" + encodeURIComponent(id), formEntry()).then(function () {
      notice("已保存 " + id + "。点击“发布”后生效。");
      openEntry(id); loadEntries();
    }).catch(function (e) { fail(e); if (e.detail.field) { focusField(e.detail.field); } });
  }

  function focusField(field) {
    var ids = { id: "f-id", question: "f-question", questions: "f-questions", answer: "f-answer", sources: "f-sources", effective_date: "f-effective", tags: "f-tags" };
    if (ids[field]) { $(ids[field]).focus(); }
  }

  function remove() {
    var id = $("f-id").value.trim();
    if (!id || !confirm("确定删除条目 " + id + "？发布后生效，可从版本记录回滚。")) { return; }
    call("DELETE", "/knowledge/entries/" + encodeURIComponent(id)).then(function () {
      notice("已删除 " + id + "。点击“发布”后生效。"); openEntry(id); loadEntries();
    }).catch(fail);
  }

  function versions(list) {
    var ol = $("versions");
    ol.textContent = "";
    if (!list.length) { ol.appendChild(el("li", { "class": "muted" }, "没有后台修改记录（使用随系统发布的条目）。")); }
    list.forEach(function (v, i) {
      var li = el("li");
      li.appendChild(el("span", {}, v.created_at.slice(0, 16).replace("T", " ") + " · " + v.author + " · " + v.action + " · " + (STATUS[v.status] || v.status)));
      if (i > 0 && isEditor()) {
        li.appendChild(button("回滚到此版本", function () {
          call("POST", "/knowledge/entries/" + encodeURIComponent(v.entry_id) + "/rollback", { version: v.id }).then(function () {
            notice("已回滚 " + v.entry_id + "。点击“发布”后生效。"); openEntry(v.entry_id); loadEntries();
          }).catch(fail);
        }));
      }
      ol.appendChild(li);
    });
  }

  function preview(event) {
    event.preventDefault();
    var entry = formEntry();
    entry.id = $("f-id").value.trim();
    var body = { question: $("preview-question").value.trim(), entry: entry.id && entry.answer ? entry : null };
    $("preview").textContent = "预览中…";
    call("POST", "/knowledge/preview", body).then(function (r) {
      var box = $("preview");
      box.textContent = "";
      var top = r.hits[0];
      box.appendChild(el("p", { "class": r.answered ? "ok" : "bad" }, r.answered
        ? "会直接回答：" + top.id + "（把握 " + Math.round(top.score * 100) + "%）"
        : r.out_of_scope.length ? "会婉拒：超出发票业务（" + r.out_of_scope.join("、") + "）" : "不会直接回答，会提示“您是想问……吗？”"));
      var ol = el("ol");
      r.hits.slice(0, 3).forEach(function (h) { ol.appendChild(el("li", {}, h.id + " · " + h.question + " · " + Math.round(h.score * 100) + "%")); });
      box.appendChild(ol);
      if (r.answered) { box.appendChild(el("p", { "class": "answer" }, top.answer + (top.basis ? "\n\n" + top.basis : ""))); }
    }).catch(function (e) { $("preview").textContent = ""; fail(e); });
  }

  function publish() {
    notice("正在发布…");
    call("POST", "/knowledge/reload").then(function (r) {
      notice("已发布：共 " + r.entries + " 条，" + (r.rebuilt ? "索引已重建" : "内容没有变化") + "，所有服务进程都会加载。");
      loadEntries();
    }).catch(fail);
  }

  function exportAll() {
    call("GET", "/knowledge/export", undefined, true).then(function (r) { return r.blob(); }).then(function (blob) {
      var a = el("a", { href: URL.createObjectURL(blob), download: "knowledge.xlsx" });
      document.body.appendChild(a); a.click(); a.remove();
    }).catch(fail);
  }

  function importFile() {
    var file = $("import-file").files[0];
    var box = $("import-result");
    box.textContent = "";
    if (!file) { notice("请先选择 .xlsx 文件", true); return; }
    var form = new FormData();
    form.append("file", file);
    call("POST", "/knowledge/import", form).then(function (r) {
      notice("已导入：共 " + r.rows + " 行，其中 " + r.changed + " 条有变化。点击“发布”后生效。");
      loadEntries();
    }).catch(function (e) {
      fail(e);
      var rows = e.detail.rows || [];
      if (!rows.length) { return; }
      var table = el("table", { "class": "errors" });
      var head = el("tr");
      ["行", "字段", "原因"].forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
      table.appendChild(head);
      rows.forEach(function (row) {
        var tr = el("tr");
        [row.row, row.field || "", row.message].forEach(function (c) { tr.appendChild(el("td", {}, c === null ? "" : c)); });
        table.appendChild(tr);
      });
      box.appendChild(table);
    });
  }

  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", logout);
  $("review-form").addEventListener("submit", loadReview);
  $("filter-form").addEventListener("submit", loadEntries);
  $("new-entry").addEventListener("click", function () { newEntry(""); });
  $("entry-form").addEventListener("submit", save);
  $("delete-entry").addEventListener("click", remove);
  $("close-editor").addEventListener("click", function () { $("editor").hidden = true; });
  $("preview-form").addEventListener("submit", preview);
  $("publish").addEventListener("click", publish);
  $("export").addEventListener("click", exportAll);
  $("import").addEventListener("click", importFile);
  if (s.token) { start(); }
})();
