import Foundation
import OrderSync

extension SpartooChannel {
    /// Accept (`statut=4`, with `label_link` when given) or refuse (`statut=3`) a return with
    /// `xml_maj_returns.php` (POST only). The return is read by `rID` first: already at the target counts
    /// as done and nothing is sent; Spartoo allows →4 only from 2 or 3 and →3 only from 2 (14 needs the
    /// label first). −9 (same status) and −25 (same link) count as done; −7 is checked against a fresh
    /// read; any other refusal fails the job with Spartoo's answer.
    func decideReturn(_ job: Job, on client: SiteClient, operation: String) async throws -> PushResult {
        guard let decision = job.payload.returnDecision else {
            throw ChannelError(.permanent, operation: operation, message: "return job without a decision")
        }
        let returnID = returnID(of: decision.returnRef)
        let target = decision.accept ? 4 : 3
        let before = try await readReturn(returnID, on: client, operation: operation)
        if before.status == target {
            return PushResult(outcome: .alreadyDone("return \(returnID) already at status \(target)"), refreshed: nil)
        }
        if decision.accept, before.status == 14, decision.labelURL == nil {
            throw ChannelError(.permanent, operation: operation,
                               message: "return \(returnID) waits for your return label (status 14): accept it with --label-url URL")
        }
        var parameters = [("rID", returnID), ("statut", String(target))]
        if let label = decision.labelURL { parameters.append(("label_link", label)) }
        let reply = try await call("xml_maj_returns.php", parameters, on: client, operation: operation)
        let code = reply.code ?? SpartooCode(1)
        switch code.value {
        case 1, 0:
            return PushResult(outcome: .pushed("return \(returnID) \(decision.accept ? "accepted" : "refused")"), refreshed: nil)
        case -9, -25:
            return PushResult(outcome: .alreadyDone("return \(returnID): \(code)"), refreshed: nil)
        case -7:
            let after = try await readReturn(returnID, on: client, operation: operation)
            if after.status == target {
                return PushResult(outcome: .alreadyDone("return \(returnID) already at status \(target)"), refreshed: nil)
            }
            throw ChannelError(.permanent, operation: operation, message: "Spartoo refused the return decision (return at status "
                + "\(after.status)): \(code); decide it on the Returns page of the Spartoo back office")
        default:
            throw ChannelError(.permanent, operation: operation,
                               message: "Spartoo refused the return decision: \(code); decide it on the Returns page of the Spartoo back office")
        }
    }

    /// The channel's id of a return from its ref (`channel:ID` or `channel:SITE/ID`).
    func returnID(of returnRef: String) -> String {
        let local = returnRef.split(separator: ":", maxSplits: 1).last.map(String.init) ?? returnRef
        return Self.split(local).id
    }

    private func readReturn(_ returnID: String, on client: SiteClient, operation: String) async throws -> SpartooReturns.Item {
        let reply = try await read("xml_export_returns.php", [("rID", returnID)], on: client, operation: operation + " (read return)")
        if let code = reply.code, !code.isOK { throw code.error(operation: operation, site: client.site) }
        let items: [SpartooReturns.Item]
        do { items = try SpartooReturns.items(try SpartooXML.parse(reply.body)) } catch {
            throw ChannelError(.retryable(retryAfter: nil), operation: operation, message: "return \(returnID) not understood: \(error)")
        }
        guard let item = items.first(where: { $0.returnID == returnID }) else {
            throw ChannelError(.permanent, operation: operation, message: "return \(returnID) not found on Spartoo site \(client.site)")
        }
        return item
    }
}
