/*
 * TalentOffice mobile pages: small progressive enhancement, plain JavaScript, no build step.
 *
 * - Visit form: sent with fetch; while the network is down or the session has ended, the visit
 *   waits in localStorage (a queue keyed by its idempotency key) and a "waiting to send" banner
 *   shows on every page. The queue is sent again on page load and on the 'online' event; the
 *   server answers a repeated key with the first visit, so a retry never makes two.
 * - Typing in the visit form is saved as it goes, so leaving the page loses nothing.
 * - Check-in asks the browser for its location (optional: the check-in works without it).
 * - Forms marked data-once can be sent once (a double tap sends one request).
 *
 * Every text shown comes from data-msg-* attributes of <body>, translated by the server.
 * No inline scripts or handlers: the Content-Security-Policy forbids them.
 */
(function () {
  "use strict";

  var QUEUE_KEY = "talentoffice.mobile.visitQueue";
  var WORKING_KEY = "talentoffice.mobile.visitForm";
  // Photos larger than this (in total) are not copied into localStorage, whose quota is small.
  var MAX_STORED_PHOTO_BYTES = 2 * 1024 * 1024;
  var body = document.body;
  var owner = body.getAttribute("data-assistant-id") || "";
  var flushing = false;

  function msg(name, count) {
    var text = body.getAttribute("data-msg-" + name) || "";
    return count === undefined ? text : text.replace("{count}", String(count));
  }

  function csrfToken() {
    return body.getAttribute("data-csrf-token") || "";
  }

  // --- storage -------------------------------------------------------------------------------

  function readJSON(key, fallback) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function writeJSON(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
      return true;
    } catch (error) {
      return false; // quota exceeded or storage disabled
    }
  }

  function loadQueue() {
    var queue = readJSON(QUEUE_KEY, []);
    return Array.isArray(queue) ? queue : [];
  }

  function saveQueue(queue) {
    if (writeJSON(QUEUE_KEY, queue)) {
      return true;
    }
    // Out of room: keep every draft's text, drop the stored photos (text matters most).
    queue.forEach(function (draft) {
      if (draft.files && draft.files.length) {
        draft.files = [];
        draft.photosDropped = true;
      }
    });
    return writeJSON(QUEUE_KEY, queue);
  }

  function putDraft(draft) {
    var queue = loadQueue().filter(function (item) {
      return item.key !== draft.key;
    });
    queue.push(draft);
    saveQueue(queue);
    updateBanner();
  }

  function removeDraft(key) {
    saveQueue(
      loadQueue().filter(function (item) {
        return item.key !== key;
      })
    );
    updateBanner();
  }

  function myDrafts() {
    return loadQueue().filter(function (draft) {
      return !owner || draft.owner === owner;
    });
  }

  // --- the banner ----------------------------------------------------------------------------

  function updateBanner(state) {
    var banner = document.querySelector("[data-testid=draft-pending]");
    if (!banner) {
      return;
    }
    var text = banner.querySelector("[data-testid=draft-pending-text]");
    var login = banner.querySelector("[data-testid=draft-login-link]");
    var drafts = myDrafts();
    var waiting = drafts.filter(function (draft) {
      return !draft.refused;
    });
    var refused = drafts.length - waiting.length;
    if (state === "sent" && !drafts.length) {
      banner.hidden = false;
      banner.className = "m-banner m-banner--sent";
      banner.setAttribute("data-state", "sent");
      text.textContent = msg("sent");
      login.hidden = true;
      return;
    }
    if (!drafts.length) {
      banner.hidden = true;
      banner.setAttribute("data-state", "empty");
      return;
    }
    var needsLogin = waiting.some(function (draft) {
      return draft.needsLogin;
    });
    banner.hidden = false;
    banner.className = "m-banner m-banner--waiting";
    banner.setAttribute("data-state", needsLogin ? "login" : "waiting");
    var parts = [];
    if (needsLogin) {
      // Not "when the network is back": these wait for the login, whatever the network does.
      parts.push(msg("waiting-login", waiting.length));
    } else if (waiting.length) {
      parts.push(msg("waiting", waiting.length));
    }
    if (refused) {
      parts.push(msg("refused"));
    }
    text.textContent = parts.join(" ");
    login.hidden = !(needsLogin && owner);
  }

  // --- sending -------------------------------------------------------------------------------

  function dataUrlToBlob(dataUrl) {
    var parts = dataUrl.split(",");
    var type = (parts[0].match(/data:([^;]+)/) || [])[1] || "application/octet-stream";
    var bytes = window.atob(parts[1]);
    var array = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i += 1) {
      array[i] = bytes.charCodeAt(i);
    }
    return new Blob([array], { type: type });
  }

  function draftFormData(draft) {
    var data = new FormData();
    draft.fields.forEach(function (pair) {
      data.append(pair[0], pair[1]);
    });
    (draft.files || []).forEach(function (file) {
      data.append("photos", dataUrlToBlob(file.data), file.name);
    });
    return data;
  }

  // Resolves to {state: "sent"|"refused"|"login"|"offline", json}.
  function post(action, data) {
    return window
      .fetch(action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: {
          "X-Requested-With": "XMLHttpRequest",
          "X-CSRFToken": csrfToken(),
          "X-Next-Page": window.location.pathname,
          Accept: "application/json",
        },
      })
      .then(
        function (response) {
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (json) {
              if (response.ok && json.ok) {
                return { state: "sent", json: json };
              }
              if (response.status === 400) {
                return { state: "refused", json: json };
              }
              if (response.status === 401 || response.status === 403) {
                return { state: "login", json: json };
              }
              return { state: "offline", json: json }; // a server error: try again later
            });
        },
        function () {
          return { state: "offline", json: {} };
        }
      );
  }

  function flushQueue() {
    if (flushing || !owner || !navigator.onLine) {
      updateBanner();
      return Promise.resolve();
    }
    var drafts = myDrafts().filter(function (draft) {
      return !draft.refused;
    });
    if (!drafts.length) {
      updateBanner();
      return Promise.resolve();
    }
    flushing = true;
    var sentAny = false;
    var chain = Promise.resolve();
    drafts.forEach(function (draft) {
      chain = chain.then(function () {
        return post(draft.action, draftFormData(draft)).then(function (result) {
          if (result.state === "sent") {
            sentAny = true;
            removeDraft(draft.key);
            onDraftSent(draft, result.json);
          } else if (result.state === "refused") {
            draft.refused = true;
            draft.errors = result.json.errors || {};
            putDraft(draft);
          } else if (result.state === "login") {
            draft.needsLogin = true;
            putDraft(draft);
          }
        });
      });
    });
    return chain.then(function () {
      flushing = false;
      updateBanner(sentAny ? "sent" : undefined);
    });
  }

  // --- the visit form ------------------------------------------------------------------------

  var visitForm = document.querySelector("form[data-visit-form]");

  function formFields(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.disabled || element.type === "file") {
        return;
      }
      if (element.name === "csrfmiddlewaretoken") {
        return; // the token of the page that sends it is used instead
      }
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) {
        return;
      }
      fields.push([element.name, element.value]);
    });
    return fields;
  }

  function fieldValue(fields, name) {
    for (var i = 0; i < fields.length; i += 1) {
      if (fields[i][0] === name) {
        return fields[i][1];
      }
    }
    return "";
  }

  function readPhotos(form) {
    var input = form.querySelector("input[type=file][name=photos]");
    var files = input && input.files ? Array.prototype.slice.call(input.files) : [];
    var total = files.reduce(function (sum, file) {
      return sum + file.size;
    }, 0);
    if (!files.length || total > MAX_STORED_PHOTO_BYTES) {
      return Promise.resolve({ files: [], dropped: files.length > 0 });
    }
    return Promise.all(
      files.map(function (file) {
        return new Promise(function (resolve) {
          var reader = new FileReader();
          reader.onload = function () {
            resolve({ name: file.name, type: file.type, data: reader.result });
          };
          reader.onerror = function () {
            resolve(null);
          };
          reader.readAsDataURL(file);
        });
      })
    ).then(function (read) {
      var kept = read.filter(Boolean);
      return { files: kept, dropped: kept.length !== files.length };
    });
  }

  function showStatus(text, kind, loginUrl) {
    var box = visitForm && visitForm.querySelector("[data-testid=draft-status]");
    if (!box) {
      return;
    }
    box.hidden = !text;
    box.className = "m-status-box m-status-box--" + (kind || "info");
    box.setAttribute("data-state", kind || "info");
    box.textContent = text || "";
    if (text && box.scrollIntoView) {
      box.scrollIntoView({ block: "center" }); // the button was tapped at the bottom of the form
    }
    if (loginUrl) {
      var link = document.createElement("a");
      link.href = loginUrl;
      link.className = "m-button m-button--primary";
      link.setAttribute("data-testid", "draft-status-login");
      link.textContent = body.getAttribute("data-msg-login-button") || "→";
      box.appendChild(document.createTextNode(" "));
      box.appendChild(link);
    }
  }

  function showErrors(errors, message) {
    var box = visitForm.querySelector("[data-testid=visit-errors]");
    box.textContent = "";
    var lines = [message || ""];
    Object.keys(errors || {}).forEach(function (name) {
      var field = visitForm.querySelector("[name=" + name + "]");
      var label = "";
      if (field && field.closest(".m-field")) {
        var caption = field.closest(".m-field").querySelector("span, label, legend");
        label = caption ? caption.textContent.trim() + ": " : "";
      }
      errors[name].forEach(function (error) {
        lines.push(label + error);
      });
    });
    lines.forEach(function (line) {
      if (line) {
        var p = document.createElement("p");
        p.textContent = line;
        box.appendChild(p);
      }
    });
    box.hidden = lines.join("") === "";
    if (!box.hidden && box.scrollIntoView) {
      box.scrollIntoView({ block: "center" });
    }
  }

  function saveWorking() {
    if (!visitForm) {
      return;
    }
    writeJSON(WORKING_KEY, { owner: owner, fields: formFields(visitForm), savedAt: Date.now() });
  }

  function restoreFields(form, fields, skip) {
    fields.forEach(function (pair) {
      if (skip && skip.indexOf(pair[0]) !== -1) {
        return;
      }
      var element = form.elements.namedItem(pair[0]);
      if (!element || element.type === "file" || element.type === "hidden" && pair[0] !== "idempotency_key") {
        return;
      }
      if (element.tagName === "SELECT" && !element.querySelector("option[value='" + pair[1] + "']")) {
        return; // a target no longer listed stays unchosen rather than wrong
      }
      element.value = pair[1];
    });
  }

  // Keys of the visits this page kept on the phone and then cleared the form of, and whether
  // nothing was typed since: a kept visit sent later still leads to its case then.
  var keptHere = [];
  var untouchedSinceKept = false;

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (byte) {
        return ("0" + byte.toString(16)).slice(-2);
      })
      .join("");
  }

  function localNow() {
    var now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    return now.toISOString().slice(0, 16);
  }

  // After a visit is kept on the phone the form starts over for the next one, with a new
  // submission key: left filled, a second tap on Save would keep the same visit again.
  function clearForNext(form, draftKey) {
    form.reset();
    form.elements.namedItem("idempotency_key").value = newKey();
    var when = form.elements.namedItem("occurred_at");
    if (when) {
      when.value = localNow();
    }
    var errors = form.querySelector("[data-testid=visit-errors]");
    errors.hidden = true;
    errors.textContent = "";
    window.localStorage.removeItem(WORKING_KEY);
    keptHere.push(draftKey);
    untouchedSinceKept = true;
  }

  function onDraftSent(draft, json) {
    if (!visitForm) {
      return;
    }
    var key = visitForm.elements.namedItem("idempotency_key");
    if (untouchedSinceKept && keptHere.indexOf(draft.key) !== -1) {
      if (json.redirect) {
        window.location.assign(json.redirect);
      }
    } else if (key && key.value === draft.key) {
      window.localStorage.removeItem(WORKING_KEY);
      if (json.redirect) {
        window.location.assign(json.redirect);
      }
    }
  }

  function submitVisit(event) {
    event.preventDefault();
    var form = event.target;
    var button = form.querySelector("[type=submit]");
    if (button.disabled) {
      return; // a second tap while the first is on its way
    }
    button.disabled = true;
    var fields = formFields(form);
    var key = fieldValue(fields, "idempotency_key");
    var live = new FormData(form);
    live.delete("csrfmiddlewaretoken");
    readPhotos(form).then(function (photos) {
      var draft = {
        key: key,
        owner: owner,
        action: form.getAttribute("action"),
        fields: fields,
        files: photos.files,
        photosDropped: photos.dropped,
        savedAt: Date.now(),
      };
      // Kept before sending: if the phone dies mid-request, the draft is still there.
      putDraft(draft);
      window.localStorage.removeItem(WORKING_KEY);
      if (!navigator.onLine) {
        button.disabled = false;
        clearForNext(form, key);
        showStatus(msg("offline") + (photos.dropped ? " " + msg("photos-dropped") : "") + " " + msg("cleared"), "waiting");
        return;
      }
      showStatus(msg("sending"), "info");
      post(draft.action, live).then(function (result) {
        button.disabled = false;
        if (result.state === "sent") {
          removeDraft(key);
          window.location.assign(result.json.redirect);
        } else if (result.state === "refused") {
          // The form is on screen with everything typed: the assistant corrects and resends.
          removeDraft(key);
          saveWorking();
          showStatus("", "info");
          showErrors(result.json.errors, result.json.message);
        } else if (result.state === "login") {
          draft.needsLogin = true;
          putDraft(draft);
          // A 403 (the CSRF cookie went with the session) carries no JSON: log in from here.
          var loginUrl =
            result.json.login_url ||
            body.getAttribute("data-login-url") + "?next=" + encodeURIComponent(window.location.pathname);
          showStatus(result.json.message || msg("login"), "login", loginUrl);
        } else {
          clearForNext(form, key);
          showStatus(msg("offline") + (photos.dropped ? " " + msg("photos-dropped") : "") + " " + msg("cleared"), "waiting");
        }
      });
    });
  }

  function setUpVisitForm() {
    if (!visitForm) {
      return;
    }
    var hasErrors = !visitForm.querySelector("[data-testid=visit-errors]").hidden;
    var key = visitForm.elements.namedItem("idempotency_key");
    var refused = myDrafts().filter(function (draft) {
      return draft.refused;
    })[0];
    if (refused && !hasErrors) {
      // A draft the server refused while it was sent in the background: back into the form.
      restoreFields(visitForm, refused.fields);
      key.value = refused.key;
      removeDraft(refused.key);
      showErrors(refused.errors || {}, "");
    } else if (!hasErrors) {
      var working = readJSON(WORKING_KEY, null);
      if (working && working.owner === owner && Array.isArray(working.fields)) {
        var preset = new URLSearchParams(window.location.search).get("target");
        restoreFields(visitForm, working.fields, preset ? ["target"] : []);
      }
    }
    visitForm.addEventListener("input", saveWorking);
    visitForm.addEventListener("change", saveWorking);
    visitForm.addEventListener("input", function () {
      untouchedSinceKept = false;
    });
    visitForm.addEventListener("submit", submitVisit);
    setUpSearch();
  }

  function setUpSearch() {
    var row = visitForm.querySelector("[data-visit-search]");
    var select = visitForm.querySelector("select[name=target]");
    if (!row || !select) {
      return;
    }
    row.hidden = false;
    var input = row.querySelector("input");
    var button = row.querySelector("button");
    function search() {
      var q = input.value.trim();
      if (!q) {
        return;
      }
      var url = body.getAttribute("data-search-url") + "?q=" + encodeURIComponent(q);
      window
        .fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (json) {
          var old = select.querySelector("optgroup[data-search-results]");
          if (old) {
            old.remove();
          }
          if (!json.results || !json.results.length) {
            return;
          }
          var group = document.createElement("optgroup");
          group.setAttribute("data-search-results", "");
          group.label = button.textContent;
          json.results.forEach(function (result) {
            var option = document.createElement("option");
            option.value = result.value;
            option.textContent = result.label;
            group.appendChild(option);
          });
          select.insertBefore(group, select.children[1] || null);
          select.value = json.results[0].value;
          saveWorking();
        })
        .catch(function () {});
    }
    button.addEventListener("click", search);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        search();
      }
    });
  }

  // --- check-in location ---------------------------------------------------------------------

  function setUpCheckIn() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-geolocate]"), function (form) {
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-located") || !navigator.geolocation) {
          return;
        }
        event.preventDefault();
        var button = form.querySelector("[type=submit]");
        button.disabled = true;
        var hint = form.querySelector(".m-hint");
        if (hint) {
          hint.textContent = msg("locating");
        }
        var done = false;
        function send(position) {
          if (done) {
            return;
          }
          done = true;
          if (position) {
            form.elements.namedItem("latitude").value = position.coords.latitude.toFixed(6);
            form.elements.namedItem("longitude").value = position.coords.longitude.toFixed(6);
          }
          form.setAttribute("data-located", "1");
          form.submit();
        }
        // Without an answer in time the check-in goes without a location: duty comes first.
        window.setTimeout(function () {
          send(null);
        }, 10000);
        navigator.geolocation.getCurrentPosition(send, function () {
          send(null);
        }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
      });
    });
  }

  // --- small things --------------------------------------------------------------------------

  function setUpOnce() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-once]"), function (form) {
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-sent")) {
          event.preventDefault();
          return;
        }
        form.setAttribute("data-sent", "1");
      });
    });
  }

  function setUpRequesterKind() {
    var radios = document.querySelectorAll("input[name=requester_kind]");
    if (!radios.length) {
      return;
    }
    function show() {
      var checked = document.querySelector("input[name=requester_kind]:checked");
      var kind = checked ? checked.value : "resident";
      Array.prototype.forEach.call(document.querySelectorAll("[data-requester]"), function (group) {
        group.hidden = group.getAttribute("data-requester") !== kind;
      });
    }
    Array.prototype.forEach.call(radios, function (radio) {
      radio.addEventListener("change", show);
    });
    show();
  }

  setUpVisitForm();
  setUpCheckIn();
  setUpOnce();
  setUpRequesterKind();
  updateBanner();
  flushQueue();
  window.addEventListener("online", function () {
    flushQueue();
  });
  window.addEventListener("offline", function () {
    updateBanner();
  });
})();
