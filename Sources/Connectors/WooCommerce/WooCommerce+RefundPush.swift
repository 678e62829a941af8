import Foundation
import OrderSync

extension WooCommerceChannel {
    /// Refund (aftersale.md §3): WooCommerce keeps no idempotency key, so the order's refunds are read
    /// before every attempt and a refund carrying this job's `ordersync_refund_key` (or, without the meta,
    /// the same amount and reason made since the job was queued) means done. Otherwise one
    /// `POST /orders/{id}/refunds`, never repeated by the transport: `amount` (it wins over the lines'
    /// totals), `line_items` with quantities, the reason (shown to the buyer), `api_refund` only when the
    /// gateway is asked to move the money, `api_restock` false. A 500 `woocommerce_rest_cannot_create_order_refund`
    /// is WooCommerce or the gateway refusing: permanent, with its text. Any other failure is retryable,
    /// and the retry starts by reading the refunds again.
    func refund(_ current: FetchedOrder, job: Job, operation: String) async throws -> PushResult {
        guard let wanted = job.payload.refund else {
            throw ChannelError(.permanent, operation: operation, message: "refund job without refund data")
        }
        let id = current.order.ref.externalID
        let key = String(job.id)
        let reason = job.payload.reason ?? ""
        let existing = try await refunds(id, operation: operation)
        if let mine = existing.first(where: { $0.key == key }) {
            return PushResult(outcome: .alreadyDone("refund \(mine.id) of \(mine.amount) is on WooCommerce"), refreshed: current)
        }
        let amount = try amount(of: wanted, order: current.order, operation: operation)
        if let same = existing.first(where: { $0.key == nil && $0.amount == amount && ($0.reason ?? "") == reason
                                               && ($0.createdAt.map { $0 >= job.createdAt.addingTimeInterval(-60) } ?? false) }) {
            return PushResult(outcome: .alreadyDone("refund \(same.id) of \(same.amount) with this reason is on WooCommerce"),
                              refreshed: current)
        }
        var body: [(String, JSONValue)] = [("amount", .string(amount.description)), ("reason", .string(reason)),
                                           ("api_refund", .bool(wanted.viaGateway)), ("api_restock", .bool(false)),
                                           ("meta_data", .array([.object([("key", .string(WooCommerceRefunds.keyMeta)),
                                                                          ("value", .string(key))])]))]
        if !wanted.lines.isEmpty {
            body.append(("line_items", .array(wanted.lines.keys.sorted().map { line in
                .object([("id", .number(line)), ("quantity", .number(String(wanted.lines[line]!)))])
            })))
        }
        let reply = try await postOnce(request("POST", "orders/\(id)/refunds", body: .object(body)), operation: operation)
        guard let made = try? WooCommerceRefunds.reads(reply).first else {
            throw ChannelError(.retryable(retryAfter: nil), operation: operation,
                               message: "the refund reply names no refund; the refunds are read again before any retry")
        }
        let after = try? await fetchOrder(externalID: id)
        return PushResult(outcome: .pushed("refund \(made.id) of \(made.amount)" + (wanted.viaGateway ? " (through the gateway)" : "")),
                          refreshed: after ?? current)
    }

    /// The amount to send: the one given, else the lines' gross price times the quantities.
    private func amount(of wanted: RefundRequest, order: Order, operation: String) throws -> Money {
        if let amount = wanted.amount { return amount }
        var total = Money(minorUnits: 0, scale: 2)
        for (lineID, quantity) in wanted.lines {
            guard let line = order.lines.first(where: { $0.lineID == lineID }), let price = line.unitPrice,
                  let part = price.times(quantity), let sum = total.adding(part) else {
                throw ChannelError(.permanent, operation: operation, message: "line \(lineID) has no price to refund")
            }
            total = sum
        }
        return total
    }

    /// Every refund of the order (`GET /orders/{id}/refunds`, 100 a page).
    func refunds(_ id: String, operation: String) async throws -> [WooCommerceRefunds.Read] {
        var all: [WooCommerceRefunds.Read] = []
        for page in 1...50 {
            let read = operation + " (read refunds)"
            let (response, json) = try await send(request("GET", "orders/\(id)/refunds",
                                                          query: [("per_page", "100"), ("page", String(page))]), operation: read)
            guard let json else { throw failure(response, operation: read) }
            let batch: [WooCommerceRefunds.Read]
            do { batch = try WooCommerceRefunds.reads(json) } catch {
                throw ChannelError(.retryable(retryAfter: nil), operation: read, httpStatus: response.status,
                                   message: "refunds not understood: \(error)")
            }
            all += batch
            if batch.count < 100 { break }
        }
        return all
    }

    /// One money-moving request, never repeated here: its JSON reply, or a classified error. A refusal by
    /// WooCommerce or the gateway is permanent; anything that leaves the outcome unknown is retryable.
    private func postOnce(_ request: ChannelRequest, operation: String) async throws -> JSONValue {
        try Task.checkCancellation()
        try await http.gate.acquire()
        let result: Result<ChannelResponse, Error>
        do { result = .success(try await http.transport.send(request, timeout: http.timeout)) } catch { result = .failure(error) }
        await http.gate.release()
        let response: ChannelResponse
        switch result {
        case .failure(let error as TransportError):
            throw ChannelError(.retryable(retryAfter: nil), operation: operation,
                               message: "\(error.description); the refunds are read again before any retry")
        case .failure(let error): throw error
        case .success(let r): response = r
        }
        let json = try? JSONValue.parse(response.body)
        if (200..<300).contains(response.status), let json { return json }
        let code = json?["code"]?.text
        if code == "woocommerce_rest_cannot_create_order_refund" || code == "woocommerce_rest_invalid_order_refund" {
            throw scrubbed(ChannelError(.permanent, operation: operation, httpStatus: response.status,
                                        message: "WooCommerce refused the refund: \(json?["message"]?.text ?? code!)"))
        }
        if [400, 401, 403, 404].contains(response.status), code != nil { throw failure(response, operation: operation) }
        throw scrubbed(ChannelError(.retryable(retryAfter: nil), operation: operation, httpStatus: response.status,
                                    message: ChannelHTTP.summary(response) + "; the refunds are read again before any retry"))
    }
}
