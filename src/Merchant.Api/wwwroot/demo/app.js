// Storefront demo: a customer's whole purchase through the public API, nothing else.
"use strict";

(() => {
  const MAX_PER_ITEM = 10;
  const MAX_UNITS = 20;
  const POLL_MS = 500;
  const POLL_UNPAID_MS = 2000;
  const PRODUCTS_REFRESH_MS = 10000;
  const TERMINAL = new Set(["completed", "partially_refunded", "refunded", "cancelled", "expired", "rejected", "needs_attention"]);

  const TRADE_LABELS = {
    created: "Creating order",
    awaiting_payment: "Waiting for payment",
    paid: "Paid",
    dispensing: "Dispensing",
    refunding: "Refunding",
    completed: "Completed",
    partially_refunded: "Partially refunded",
    refunded: "Refunded",
    cancelled: "Cancelled",
    expired: "Expired",
    rejected: "Rejected",
    needs_attention: "Needs attention",
  };

  const LINE_LABELS = {
    pending: "Waiting",
    dispensing: "Dispensing…",
    dispensed: "Dispensed",
    failed: "Failed",
    refunding: "Refunding…",
    refunded: "Refunded",
    cancelled: "Cancelled",
    needs_attention: "Being checked",
  };

  const DONE_TEXT = {
    completed: "All done: take your items from the machine.",
    partially_refunded: "Some items could not be dispensed; they were refunded.",
    refunded: "Nothing could be dispensed; you were refunded in full.",
    cancelled: "The order was cancelled. Nothing was charged.",
    expired: "The payment window closed. Nothing was charged.",
    rejected: "The machine could not take the order. Nothing was charged.",
    needs_attention: "Something needs a closer look; staff have been told and will sort it out.",
  };

  const state = {
    key: "",
    wechatSimulator: false,
    machines: [],
    machine: null,
    products: [],
    cart: new Map(),
    trade: null,
    payClicked: false,
    pollTimer: 0,
    countdownTimer: 0,
    productsTimer: 0,
    busy: false,
  };

  const $ = (testId) => document.querySelector(`[data-testid="${testId}"]`);

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "class") el.className = value;
      else if (name === "testid") el.dataset.testid = value;
      else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  // --- HTTP -----------------------------------------------------------------

  class ApiError extends Error {
    constructor(problem) {
      super(problem.title || "Request failed");
      this.problem = problem;
    }
  }

  function newIdempotencyKey() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    // randomUUID needs a secure context; a phone on the LAN over http has only getRandomValues.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  async function api(method, path, body, headers) {
    const init = { method, headers: { Accept: "application/json", "X-Api-Key": state.key, ...(headers || {}) }, cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      throw new ApiError({ title: "The service could not be reached.", code: "network_error", detail: String(e.message || e) });
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!response.ok) {
      const problem = data && typeof data === "object" ? data : {};
      throw new ApiError({ title: problem.title || `The request failed (HTTP ${response.status}).`, status: response.status, ...problem });
    }
    return data;
  }

  // --- money ----------------------------------------------------------------

  const toFen = (s) => {
    const [whole, frac = ""] = String(s).split(".");
    const sign = whole.trim().startsWith("-") ? -1 : 1;
    return sign * (Math.abs(parseInt(whole, 10) || 0) * 100 + (parseInt((frac + "00").slice(0, 2), 10) || 0));
  };
  const fromFen = (fen) => `${fen < 0 ? "-" : ""}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, "0")}`;
  const money = (s, currency) => `${!currency || currency === "CNY" ? "¥" : currency + " "}${s}`;

  // --- errors ---------------------------------------------------------------

  function showError(err) {
    const p = err instanceof ApiError ? err.problem : { title: String((err && err.message) || err), code: "client_error" };
    $("error-title").textContent = p.title || "Something went wrong.";
    $("error-code").textContent = [p.code, p.status].filter(Boolean).join(" · ");
    const details = [];
    if (p.detail) details.push(p.detail);
    if (p.errors && typeof p.errors === "object") {
      for (const [field, messages] of Object.entries(p.errors)) details.push(`${field}: ${[].concat(messages).join(" ")}`);
    }
    $("error-detail").textContent = details.join(" ");
    $("error-detail").hidden = details.length === 0;
    $("error").hidden = false;
    $("error").scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function clearError() {
    $("error").hidden = true;
  }

  // --- views ----------------------------------------------------------------

  function show(view, step) {
    for (const id of ["view-machines", "view-products", "view-trade"]) $(id).hidden = id !== view;
    const order = ["machine", "products", "pay", "collect"];
    for (const li of document.querySelectorAll(".steps li")) {
      const i = order.indexOf(li.dataset.step);
      const at = order.indexOf(step);
      li.classList.toggle("current", i === at);
      li.classList.toggle("past", i < at);
    }
    document.body.dataset.view = view;
  }

  // --- machines -------------------------------------------------------------

  async function loadMachines() {
    stopTimers();
    show("view-machines", "machine");
    $("machines-loading").hidden = false;
    $("machines").replaceChildren();
    try {
      state.machines = await api("GET", "/api/v1/machines");
      renderMachines();
    } catch (e) {
      showError(e);
    } finally {
      $("machines-loading").hidden = true;
    }
  }

  function renderMachines() {
    const list = $("machines");
    const sorted = [...state.machines].sort((a, b) => Number(b.online && b.operating) - Number(a.online && a.operating));
    list.replaceChildren(...sorted.map((m) => {
      const available = m.online && m.operating !== false;
      const stateText = !m.online ? "Offline" : available ? "Online" : "Not operating";
      return h("li", {},
        h("button", {
          type: "button", class: "machine", testid: `machine-${m.machine_no}`, disabled: !available,
          "data-online": String(!!m.online), onclick: () => openMachine(m),
        },
          h("span", { class: "machine-icon", "aria-hidden": "true" }),
          h("span", { class: "machine-text" },
            h("span", { class: "machine-name" }, m.name || `Machine ${m.machine_no}`),
            h("span", { class: "machine-address" }, m.address || "—"),
            h("span", { class: "machine-no mono" }, `No. ${m.machine_no}`)),
          h("span", { class: `pill ${available ? "ok" : "off"}`, testid: `machine-state-${m.machine_no}` }, stateText)));
    }));
    if (sorted.length === 0) list.append(h("li", { class: "muted" }, "No machines yet."));
  }

  // --- products and cart ----------------------------------------------------

  async function openMachine(machine) {
    clearError();
    state.machine = machine;
    state.cart.clear();
    state.products = [];
    $("machine-name").textContent = machine.name || `Machine ${machine.machine_no}`;
    $("machine-address").textContent = machine.address || "";
    $("products").replaceChildren();
    show("view-products", "products");
    renderCart();
    $("products-loading").hidden = false;
    await loadProducts();
    $("products-loading").hidden = true;
    stopTimers();
    state.productsTimer = setInterval(() => loadProducts(true), PRODUCTS_REFRESH_MS);
  }

  async function loadProducts(quiet) {
    const machineNo = state.machine && state.machine.machine_no;
    try {
      const products = await api("GET", `/api/v1/machines/${encodeURIComponent(machineNo)}/products`);
      if (!state.machine || state.machine.machine_no !== machineNo) return;
      state.products = products;
      // Stock is live: never keep more in the cart than the machine now holds.
      for (const [id, qty] of state.cart) {
        const p = products.find((x) => x.product_id === id);
        const max = p ? Math.min(p.stock, MAX_PER_ITEM) : 0;
        if (qty > max) max > 0 ? state.cart.set(id, max) : state.cart.delete(id);
      }
      renderProducts();
      renderCart();
    } catch (e) {
      if (!quiet) showError(e);
    }
  }

  const cartUnits = () => [...state.cart.values()].reduce((a, b) => a + b, 0);

  function renderProducts() {
    const units = cartUnits();
    $("products").replaceChildren(...state.products.map((p) => {
      const qty = state.cart.get(p.product_id) || 0;
      const out = p.stock <= 0;
      const max = Math.min(p.stock, MAX_PER_ITEM);
      const stockText = out ? "Out of stock" : p.stock <= 3 ? `Only ${p.stock} left` : `${p.stock} in stock`;
      return h("li", { class: `product${out ? " out" : ""}${qty ? " in-cart" : ""}`, testid: `product-${p.product_id}`, "data-stock": p.stock },
        h("div", { class: "product-text" },
          h("span", { class: "product-name" }, p.name),
          h("span", { class: "product-meta" },
            h("span", { class: "product-price", testid: `price-${p.product_id}` }, money(p.price)),
            h("span", { class: `stock${out ? " none" : p.stock <= 3 ? " low" : ""}`, testid: `stock-${p.product_id}` }, stockText)),
          p.category || p.slot ? h("span", { class: "product-sub muted small" }, [p.category, p.slot && `slot ${p.slot}`].filter(Boolean).join(" · ")) : null),
        h("div", { class: "stepper" },
          h("button", {
            type: "button", class: "step-btn", testid: `remove-${p.product_id}`, "aria-label": `One ${p.name} less`,
            disabled: qty === 0, onclick: () => changeQty(p, -1),
          }, "−"),
          h("span", { class: "qty", testid: `qty-${p.product_id}`, "aria-live": "polite" }, String(qty)),
          h("button", {
            type: "button", class: "step-btn add", testid: `add-${p.product_id}`, "aria-label": `One more ${p.name}`,
            disabled: out || qty >= max || units >= MAX_UNITS, onclick: () => changeQty(p, 1),
          }, "+")));
    }));
    if (state.products.length === 0) $("products").append(h("li", { class: "muted" }, "This machine has nothing on sale."));
  }

  function changeQty(product, delta) {
    const qty = (state.cart.get(product.product_id) || 0) + delta;
    if (qty <= 0) state.cart.delete(product.product_id);
    else state.cart.set(product.product_id, Math.min(qty, product.stock, MAX_PER_ITEM));
    renderProducts();
    renderCart();
  }

  function renderCart() {
    const units = cartUnits();
    let fen = 0;
    for (const [id, qty] of state.cart) {
      const p = state.products.find((x) => x.product_id === id);
      if (p) fen += toFen(p.price) * qty;
    }
    $("cart-count").textContent = units === 0 ? "Your cart is empty" : `${units} item${units === 1 ? "" : "s"}`;
    $("cart-total").textContent = money(fromFen(fen));
    $("checkout").disabled = units === 0 || state.busy;
    $("cart").classList.toggle("filled", units > 0);
  }

  async function checkout() {
    if (state.busy || cartUnits() === 0) return;
    clearError();
    state.busy = true;
    renderCart();
    $("checkout").textContent = "Checking out…";
    try {
      const items = [...state.cart].map(([product_id, quantity]) => ({ product_id, quantity }));
      const trade = await api("POST", "/api/v1/checkouts", { machine_no: state.machine.machine_no, items },
        { "Idempotency-Key": newIdempotencyKey() });
      state.cart.clear();
      state.busy = false;
      openTrade(trade);
    } catch (e) {
      showError(e);
      loadProducts(true);
    } finally {
      state.busy = false;
      $("checkout").textContent = "Check out";
      renderCart();
    }
  }

  // --- the trade --------------------------------------------------------------

  function openTrade(trade) {
    stopTimers();
    state.trade = trade;
    show("view-trade", "pay");
    renderTrade();
    state.countdownTimer = setInterval(renderCountdown, 1000);
    schedulePoll();
  }

  function schedulePoll(delay) {
    clearTimeout(state.pollTimer);
    const t = state.trade;
    if (!t || TERMINAL.has(t.status)) return;
    const wait = delay !== undefined ? delay : t.status === "awaiting_payment" && !state.payClicked ? POLL_UNPAID_MS : POLL_MS;
    state.pollTimer = setTimeout(poll, wait);
  }

  async function poll() {
    const id = state.trade && state.trade.trade_id;
    if (!id) return;
    try {
      const trade = await api("GET", `/api/v1/trades/${encodeURIComponent(id)}`);
      if (!state.trade || state.trade.trade_id !== id) return;
      state.trade = trade;
      renderTrade();
    } catch (e) {
      showError(e);
    }
    schedulePoll();
  }

  // The customer pays: through the sandbox, or (local runs) the WeChat Pay simulator scanning the QR code; either way
  // the trade moves only when the provider's notification arrives, so the page keeps polling.
  async function pay(path, body, note) {
    const t = state.trade;
    if (!t || state.busy) return;
    clearError();
    state.busy = true;
    setPayButtons(false);
    try {
      await api("POST", path(encodeURIComponent(t.trade_id)), body);
      state.payClicked = true;
      $("payment-note").hidden = false;
      $("payment-note").className = "payment-note";
      $("payment-note").textContent = note;
    } catch (e) {
      showError(e);
    } finally {
      state.busy = false;
      renderTrade();
      schedulePoll(0);
    }
  }

  const paySandbox = (outcome) => pay((id) => `/api/v1/sandbox/trades/${id}/pay`, { outcome },
    outcome === "success" ? "Payment sent, waiting for confirmation…" : "Sending a failing payment…");
  const scanAndPay = () => pay((id) => `/demo/wechatpay/trades/${id}/pay`, undefined,
    "Paid in WeChat (simulator), waiting for WeChat Pay to confirm…");

  async function cancel() {
    const t = state.trade;
    if (!t || state.busy) return;
    clearError();
    state.busy = true;
    setPayButtons(false);
    try {
      state.trade = await api("POST", `/api/v1/trades/${encodeURIComponent(t.trade_id)}/cancel`);
    } catch (e) {
      showError(e);
    } finally {
      state.busy = false;
      renderTrade();
      schedulePoll(0);
    }
  }

  function setPayButtons(enabled) {
    for (const id of ["pay-success", "pay-fail", "scan-pay", "cancel"]) $(id).disabled = !enabled;
  }

  // WeChat Pay Native: the code_url drawn as a QR code by the demo's own encoder (/demo/qr.svg), never an outside service.
  function renderPaymentAction(t) {
    const action = (t.payment && t.payment.action) || null;
    const codeUrl = action && action.type === "qr" ? action.code_url : "";
    const img = $("qr");
    $("qr-box").hidden = !codeUrl;
    if (codeUrl && img.dataset.codeUrl !== codeUrl) {
      img.dataset.codeUrl = codeUrl;
      img.src = `qr.svg?data=${encodeURIComponent(codeUrl)}`;
    }
    $("scan-pay").hidden = !codeUrl || !state.wechatSimulator;
    $("sandbox-buttons").hidden = !t.payment || t.payment.provider !== "sandbox";
  }

  function renderCountdown() {
    const t = state.trade;
    if (!t || t.status !== "awaiting_payment" || !t.pay_before) return;
    const left = Math.max(0, Math.floor((Date.parse(t.pay_before) - Date.now()) / 1000));
    $("pay-countdown").textContent = `${String(Math.floor(left / 60)).padStart(2, "0")}:${String(left % 60).padStart(2, "0")}`;
    $("pay-countdown").classList.toggle("urgent", left < 60);
    if (left === 0) schedulePoll(0);
  }

  function renderTrade() {
    const t = state.trade;
    if (!t) return;
    const terminal = TERMINAL.has(t.status);
    const badge = $("trade-status");
    badge.textContent = TRADE_LABELS[t.status] || t.status;
    badge.dataset.status = t.status;
    badge.title = t.status;
    $("trade-id").textContent = t.trade_id;
    const machine = state.machine && state.machine.machine_no === t.machine_no ? state.machine : null;
    $("trade-machine").textContent = machine ? `${machine.name} · No. ${t.machine_no}` : `Machine No. ${t.machine_no}`;
    $("trade-amount").textContent = money(t.amount, t.currency);
    $("trade-amount").dataset.value = t.amount;
    $("trade-refunded").textContent = money(t.refunded_amount, t.currency);
    $("trade-refunded").dataset.value = t.refunded_amount;
    $("trade-refunded-box").hidden = toFen(t.refunded_amount) === 0;
    $("trade-status-reason").hidden = !t.status_reason;
    $("trade-status-reason").textContent = t.status_reason || "";

    const unpaid = t.status === "awaiting_payment";
    $("pay-box").hidden = !unpaid;
    if (unpaid) {
      renderPaymentAction(t);
      setPayButtons(!state.busy);
      const payment = t.payment && t.payment.status;
      const note = $("payment-note");
      if (payment === "failed") {
        note.hidden = false;
        note.className = "payment-note bad";
        note.textContent = "The payment failed. Try again, or cancel the order.";
      } else if (!state.payClicked) {
        note.hidden = true;
      }
      renderCountdown();
    }

    const lines = t.lines || [];
    const settled = lines.filter((l) => ["dispensed", "failed", "refunding", "refunded", "cancelled"].includes(l.status)).length;
    const dispensed = lines.filter((l) => l.status === "dispensed").length;
    const showProgress = !unpaid && !["cancelled", "expired", "rejected", "created"].includes(t.status);
    $("progress").hidden = !showProgress;
    if (showProgress && lines.length) {
      $("progress-bar").style.width = `${Math.round((settled / lines.length) * 100)}%`;
      $("progress-text").textContent = `${dispensed} of ${lines.length} dispensed` + (settled > dispensed ? ` · ${settled - dispensed} not dispensed` : "");
    }

    $("lines").replaceChildren(...lines.map((l) => {
      const label = LINE_LABELS[l.status] || l.status;
      return h("li", { class: `line s-${l.status}`, testid: `line-${l.line_id}`, "data-status": l.status, "data-product": l.product_id },
        h("span", { class: "line-icon", "aria-hidden": "true" }),
        h("span", { class: "line-text" },
          h("span", { class: "line-name" }, l.quantity && l.quantity > 1 ? `${l.name} × ${l.quantity}` : l.name),
          l.failure_reason ? h("span", { class: "line-reason", testid: `line-reason-${l.line_id}` }, l.failure_reason) : null),
        h("span", { class: "line-right" },
          h("span", { class: "line-price" }, money(l.price, t.currency)),
          h("span", { class: "line-status", testid: `line-status-${l.line_id}` }, label)));
    }));

    $("done").hidden = !terminal;
    if (terminal) {
      show("view-trade", "collect");
      $("done-text").textContent = DONE_TEXT[t.status] || "";
      $("done").dataset.status = t.status;
      clearInterval(state.countdownTimer);
      clearTimeout(state.pollTimer);
    }
  }

  function stopTimers() {
    clearTimeout(state.pollTimer);
    clearInterval(state.countdownTimer);
    clearInterval(state.productsTimer);
  }

  function newOrder() {
    state.trade = null;
    state.payClicked = false;
    clearError();
    if (state.machine) openMachine(state.machine);
    else loadMachines();
  }

  // --- start ----------------------------------------------------------------

  async function start() {
    $("error-dismiss").addEventListener("click", clearError);
    $("refresh-machines").addEventListener("click", () => { clearError(); loadMachines(); });
    $("change-machine").addEventListener("click", () => { clearError(); loadMachines(); });
    $("checkout").addEventListener("click", checkout);
    $("pay-success").addEventListener("click", () => paySandbox("success"));
    $("pay-fail").addEventListener("click", () => paySandbox("failed"));
    $("scan-pay").addEventListener("click", scanAndPay);
    $("cancel").addEventListener("click", cancel);
    $("new-order").addEventListener("click", newOrder);
    try {
      const config = await fetch("config.json", { cache: "no-store" }).then((r) => {
        if (!r.ok) throw new ApiError({ title: "The demo configuration could not be loaded.", status: r.status, code: "demo_config" });
        return r.json();
      });
      state.key = config.api_key || "";
      state.wechatSimulator = config.wechatpay_simulator === true;
      if (!state.key) throw new ApiError({ title: "The demo has no storefront key (Demo:StorefrontKey).", code: "demo_config" });
    } catch (e) {
      show("view-machines", "machine");
      $("machines-loading").hidden = true;
      showError(e);
      return;
    }
    document.body.dataset.ready = "true";
    await loadMachines();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
