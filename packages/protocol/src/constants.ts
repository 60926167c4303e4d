/**
 * Protocol identifiers and limits. Every limit is a named constant with the reason for its
 * value: a receiver checks each claimed size against these BEFORE allocating anything.
 */

/** Request/response: "do you have a better mask for this task?" (MaskQuery -> MaskOffer). */
export const QUERY_PROTOCOL = '/l2d2c/query/1.0.0'
/** Request/response: fetch a mask (MaskFetch -> MaskTransferHeader, MaskChunk*). */
export const MASK_PROTOCOL = '/l2d2c/mask/1.0.0'
/** Request/response: list a peer's masks (InventoryRequest -> InventoryAnnouncement). */
export const INVENTORY_PROTOCOL = '/l2d2c/inventory/1.0.0'
/** Gossipsub topic on which nodes announce their inventory. */
export const ANNOUNCE_TOPIC = 'l2d2c/announce/1'
/** Kademlia protocol id: a private DHT, so l2d2c records never mix with the public IPFS DHT. */
export const DHT_PROTOCOL = '/l2d2c/kad/1.0.0'
/**
 * Prefix of the text whose CID is a task's DHT key ("l2d2c/task/1:" + task key). It keeps these
 * provider records apart from mask CIDs and any other use of the DHT, and versions the scheme.
 */
export const TASK_KEY_CID_PREFIX = 'l2d2c/task/1:'

/** Version written in every message's `version` field; newer versions are refused. */
export const MESSAGE_VERSION = 1
/** Version of the canonical mask encoding (byte 4 of a mask). */
export const MASK_FORMAT_VERSION = 1
/** Version of the mask file envelope (byte 4 of a mask file). */
export const MASK_FILE_VERSION = 1

/** Task keys are short path-like names (`ctgraph/d2b2/img3/leaf10`); 200 bytes leaves ample room. */
export const MAX_TASK_KEY_BYTES = 200
/** Backbone ids are hashes rendered as text; 64 bytes fits a full sha-256 in hex. */
export const MAX_BACKBONE_ID_BYTES = 64
/** Layer names are short identifiers (`body.0`, `policy`). */
export const MAX_LAYER_NAME_BYTES = 64
/** Peer ids in text form are ~52 characters; 128 leaves room for other key types. */
export const MAX_PEER_ID_BYTES = 128
/** Masked networks have a handful of layers (the reference: 5); 64 bounds hostile tables. */
export const MAX_LAYERS = 64
/** Dense layers are rank 2; allow up to rank 4 (convolutions) without a format change. */
export const MAX_LAYER_RANK = 4
/**
 * Weights per mask: 4,194,304 (2^22) is ~38x the reference CT-graph network (109,600) and
 * bounds an F32 mask to 16 MiB, which a node can hold in memory several times over.
 */
export const MAX_MASK_WEIGHTS = 1 << 22
/** The canonical header (key, backbone id, layer table) never needs more than this. */
export const MAX_MASK_HEADER_BYTES = 16 * 1024
/** Largest canonical mask: an F32 mask of MAX_MASK_WEIGHTS plus header and magnitudes. */
export const MAX_MASK_BYTES = MAX_MASK_HEADER_BYTES + 4 * MAX_MASK_WEIGHTS + 4 * MAX_LAYERS
/**
 * Transfer chunk size: 64 KiB keeps every frame well under yamux's default 256 KiB window and
 * a circuit relay's 128 KiB budget, while a BITS CT-graph mask (13.9 kB) still fits in one.
 */
export const MAX_CHUNK_BYTES = 64 * 1024
/** Smallest chunk a sender may use (unless the whole mask is smaller): bounds per-chunk overhead. */
export const MIN_CHUNK_BYTES = 1024
/** Chunks per transfer, implied by the limits above. */
export const MAX_CHUNKS = Math.ceil(MAX_MASK_BYTES / MIN_CHUNK_BYTES)
/** Queries, offers, fetch requests and transfer headers carry a few short fields. */
export const MAX_CONTROL_MESSAGE_BYTES = 4 * 1024
/** Frame limit for MaskChunk messages: the chunk plus its protobuf field overhead. */
export const MAX_CHUNK_MESSAGE_BYTES = MAX_CHUNK_BYTES + 64
/** Masks listed in one announcement; a node holding more announces its best ones. */
export const MAX_ANNOUNCED_MASKS = 1024
/** Multiaddrs in one announcement. */
export const MAX_ANNOUNCED_ADDRS = 16
/** Binary multiaddrs are tens of bytes; 256 is generous. */
export const MAX_MULTIADDR_BYTES = 256
/** An announcement of MAX_ANNOUNCED_MASKS summaries (~400 B each) fits in 512 KiB. */
export const MAX_ANNOUNCEMENT_BYTES = 512 * 1024
/** A mask file header (CID + metadata) is ~150 bytes; 4 KiB bounds a hostile file. */
export const MAX_MASK_FILE_HEADER_BYTES = 4 * 1024
/** Largest mask file: magic, header, and the largest canonical mask. */
export const MAX_MASK_FILE_BYTES = 8 + MAX_MASK_FILE_HEADER_BYTES + MAX_MASK_BYTES

/**
 * Time a responder waits for a request frame before closing a silent stream: pass it as
 * `readFrame(stream, { maxBytes, timeoutMs: DEFAULT_REQUEST_TIMEOUT_MS })`. Requests are one
 * small frame sent right after the stream opens, so 5 s covers a slow relayed link.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000
