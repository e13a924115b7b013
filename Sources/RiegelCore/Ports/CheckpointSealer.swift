/// Signs audit checkpoints with the active `audit` key (Ed25519), and lists
/// the public halves the security team verifies with.
public protocol CheckpointSealer: CheckpointSealVerifier {
    /// The signature of `message` under the active `audit` key.
    func seal(_ message: [UInt8]) -> CheckpointSeal
    /// The public halves of every usable `audit` key, active first.
    func publicKeys() -> [AuditPublicKey]
}

extension CheckpointSealer {
    /// The checkpoint sealing entry `seq` whose chain hash is `hash`.
    public func checkpoint(seq: Int64, hash: [UInt8]) -> AuditCheckpoint {
        AuditCheckpoint(seq: seq, hash: hash, seal: seal(AuditChain.checkpointMessage(seq: seq, hash: hash)))
    }
}
