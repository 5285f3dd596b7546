/** DOM helpers. Every value that came from a token or the API is set with textContent, never as HTML:
 *  a user's name is data, and must not become markup. */
import type { ApiAnswer, Order } from "./api";
import { explanation } from "./api";
import type { Claims } from "./jwt";
import { describeTime, isPii } from "./jwt";

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {},
                                                          ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

export function setStatus(text: string, kind: "info" | "error" = "info"): void {
  const status = byId("status");
  status.textContent = text;
  status.dataset.kind = kind;
  status.hidden = text === "";
}

function formatValue(name: string, value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const time = ["exp", "iat", "auth_time", "nbf"].includes(name) ? describeTime(value) : null;
  return time ? `${text}  (${time})` : text;
}

/** A two-column table of claims; personal-data claims are highlighted and labelled for screen readers. */
export function renderClaims(tableId: string, claims: Claims, pii: ReadonlySet<string>, prefixes: readonly string[]): void {
  const body = byId(tableId).querySelector("tbody")!;
  body.replaceChildren();
  for (const [name, value] of Object.entries(claims)) {
    const personal = isPii(name, pii, prefixes);
    const nameCell = el("th", { scope: "row" }, name);
    const valueCell = el("td", {}, formatValue(name, value));
    const row = el("tr", personal ? { class: "pii", "data-claim": name } : { "data-claim": name }, nameCell, valueCell);
    if (personal) nameCell.append(el("span", { class: "pii-badge" }, "PII"));
    body.append(row);
  }
}

export function renderOrders(orders: Order[], onShip: (order: Order) => void): void {
  const body = byId("orders-table").querySelector("tbody")!;
  body.replaceChildren();
  if (orders.length === 0) {
    body.append(el("tr", {}, el("td", { colspan: "5", class: "empty" }, "No orders.")));
  }
  for (const order of orders) {
    const ship = el("button", { type: "button", class: "small secondary", "data-ship": order.id },
                    "Mark shipped");
    ship.disabled = order.status !== "open";
    ship.addEventListener("click", () => onShip(order));
    body.append(el("tr", { "data-order": order.id },
      el("td", {}, order.id), el("td", {}, order.item), el("td", {}, String(order.quantity)),
      el("td", {}, el("span", { class: `pill ${order.status}` }, order.status)), el("td", {}, ship)));
  }
}

/** The admin list is rendered for everyone and merely hidden for non-admins: hiding is cosmetic. */
export function renderAdminOrders(orders: Order[], onDelete: (order: Order) => void): void {
  const list = byId("admin-orders");
  list.replaceChildren();
  for (const order of orders) {
    const button = el("button", { type: "button", class: "small danger", "data-delete": order.id,
                                  "aria-label": `Delete order ${order.id}` }, "Delete");
    button.addEventListener("click", () => onDelete(order));
    list.append(el("li", {}, el("span", {}, `#${order.id} · ${order.item}`), button));
  }
}

export function showAnswer(answer: ApiAnswer): void {
  byId("api-result").hidden = false;
  byId("result-request").textContent = answer.request;
  const status = byId("result-status");
  status.textContent = String(answer.status);
  status.dataset.ok = String(answer.status < 400);
  byId("result-description").textContent = explanation(answer);
  byId("result-body").textContent = answer.body === null ? "" : JSON.stringify(answer.body, null, 2);
}
