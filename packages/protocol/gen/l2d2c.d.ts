import * as $protobuf from "protobufjs";
import Long = require("long");

/** Namespace l2d2c. */
export namespace l2d2c {

    /** MaskEncoding enum. */
    enum MaskEncoding {

        /** MASK_ENCODING_UNSPECIFIED value */
        MASK_ENCODING_UNSPECIFIED = 0,

        /** MASK_ENCODING_BITS value */
        MASK_ENCODING_BITS = 1,

        /** MASK_ENCODING_F16 value */
        MASK_ENCODING_F16 = 2,

        /** MASK_ENCODING_F32 value */
        MASK_ENCODING_F32 = 3,

        /** MASK_ENCODING_DELTA value */
        MASK_ENCODING_DELTA = 4
    }

    /**
     * Properties of a MaskMeta.
     * @deprecated Use l2d2c.MaskMeta.$Properties instead.
     */
    interface IMaskMeta extends l2d2c.MaskMeta.$Properties {
    }

    /** Represents a MaskMeta. */
    class MaskMeta {

        /**
         * Constructs a new MaskMeta.
         * @param [properties] Properties to set
         */
        constructor(properties?: l2d2c.MaskMeta.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** MaskMeta reward. */
        reward: number;

        /** MaskMeta stepsTrained. */
        stepsTrained: (number|Long);

        /** MaskMeta origin. */
        origin: string;

        /** MaskMeta createdAtMs. */
        createdAtMs: (number|Long);

        /**
         * Creates a new MaskMeta instance using the specified properties.
         * @param [properties] Properties to set
         * @returns MaskMeta instance
         */
        static create(properties: l2d2c.MaskMeta.$Shape): l2d2c.MaskMeta & l2d2c.MaskMeta.$Shape;
        static create(properties?: l2d2c.MaskMeta.$Properties): l2d2c.MaskMeta;

        /**
         * Encodes the specified MaskMeta message. Does not implicitly {@link l2d2c.MaskMeta.verify|verify} messages.
         * @param message MaskMeta message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: l2d2c.MaskMeta.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a MaskMeta message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {l2d2c.MaskMeta & l2d2c.MaskMeta.$Shape} MaskMeta
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): l2d2c.MaskMeta & l2d2c.MaskMeta.$Shape;
    }

    namespace MaskMeta {

        /** Properties of a MaskMeta. */
        interface $Properties {

            /** MaskMeta reward */
            reward?: (number|null);

            /** MaskMeta stepsTrained */
            stepsTrained?: (number|Long|null);

            /** MaskMeta origin */
            origin?: (string|null);

            /** MaskMeta createdAtMs */
            createdAtMs?: (number|Long|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a MaskMeta. */
        type $Shape = l2d2c.MaskMeta.$Properties;
    }

    /**
     * Properties of a MaskQuery.
     * @deprecated Use l2d2c.MaskQuery.$Properties instead.
     */
    interface IMaskQuery extends l2d2c.MaskQuery.$Properties {
    }

    /** Represents a MaskQuery. */
    class MaskQuery {

        /**
         * Constructs a new MaskQuery.
         * @param [properties] Properties to set
         */
        constructor(properties?: l2d2c.MaskQuery.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** MaskQuery version. */
        version: number;

        /** MaskQuery requestId. */
        requestId: number;

        /** MaskQuery taskKey. */
        taskKey: string;

        /** MaskQuery reward. */
        reward?: (number|null);

        /** MaskQuery backboneId. */
        backboneId: string;

        /**
         * Creates a new MaskQuery instance using the specified properties.
         * @param [properties] Properties to set
         * @returns MaskQuery instance
         */
        static create(properties: l2d2c.MaskQuery.$Shape): l2d2c.MaskQuery & l2d2c.MaskQuery.$Shape;
        static create(properties?: l2d2c.MaskQuery.$Properties): l2d2c.MaskQuery;

        /**
         * Encodes the specified MaskQuery message. Does not implicitly {@link l2d2c.MaskQuery.verify|verify} messages.
         * @param message MaskQuery message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: l2d2c.MaskQuery.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a MaskQuery message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {l2d2c.MaskQuery & l2d2c.MaskQuery.$Shape} MaskQuery
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): l2d2c.MaskQuery & l2d2c.MaskQuery.$Shape;
    }

    namespace MaskQuery {

        /** Properties of a MaskQuery. */
        interface $Properties {

            /** MaskQuery version */
            version?: (number|null);

            /** MaskQuery requestId */
            requestId?: (number|null);

            /** MaskQuery taskKey */
            taskKey?: (string|null);

            /** MaskQuery reward */
            reward?: (number|null);

            /** MaskQuery backboneId */
            backboneId?: (string|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a MaskQuery. */
        type $Shape = l2d2c.MaskQuery.$Properties;
    }

    /** OfferStatus enum. */
    enum OfferStatus {

        /** OFFER_STATUS_UNSPECIFIED value */
        OFFER_STATUS_UNSPECIFIED = 0,

        /** OFFER_STATUS_HAS_MASK value */
        OFFER_STATUS_HAS_MASK = 1,

        /** OFFER_STATUS_NO_MASK value */
        OFFER_STATUS_NO_MASK = 2,

        /** OFFER_STATUS_BACKBONE_MISMATCH value */
        OFFER_STATUS_BACKBONE_MISMATCH = 3,

        /** OFFER_STATUS_BUSY value */
        OFFER_STATUS_BUSY = 4,

        /** OFFER_STATUS_REFUSED value */
        OFFER_STATUS_REFUSED = 5
    }

    /**
     * Properties of a MaskOffer.
     * @deprecated Use l2d2c.MaskOffer.$Properties instead.
     */
    interface IMaskOffer extends l2d2c.MaskOffer.$Properties {
    }

    /** Represents a MaskOffer. */
    class MaskOffer {

        /**
         * Constructs a new MaskOffer.
         * @param [properties] Properties to set
         */
        constructor(properties?: l2d2c.MaskOffer.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** MaskOffer version. */
        version: number;

        /** MaskOffer requestId. */
        requestId: number;

        /** MaskOffer status. */
        status: l2d2c.OfferStatus;

        /** MaskOffer taskKey. */
        taskKey: string;

        /** MaskOffer reward. */
        reward: number;

        /** MaskOffer stepsTrained. */
        stepsTrained: (number|Long);

        /** MaskOffer cid. */
        cid: Uint8Array;

        /** MaskOffer encodedSize. */
        encodedSize: number;

        /** MaskOffer encodings. */
        encodings: l2d2c.MaskEncoding[];

        /** MaskOffer backboneId. */
        backboneId: string;

        /** MaskOffer origin. */
        origin: string;

        /**
         * Creates a new MaskOffer instance using the specified properties.
         * @param [properties] Properties to set
         * @returns MaskOffer instance
         */
        static create(properties: l2d2c.MaskOffer.$Shape): l2d2c.MaskOffer & l2d2c.MaskOffer.$Shape;
        static create(properties?: l2d2c.MaskOffer.$Properties): l2d2c.MaskOffer;

        /**
         * Encodes the specified MaskOffer message. Does not implicitly {@link l2d2c.MaskOffer.verify|verify} messages.
         * @param message MaskOffer message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: l2d2c.MaskOffer.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a MaskOffer message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {l2d2c.MaskOffer & l2d2c.MaskOffer.$Shape} MaskOffer
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): l2d2c.MaskOffer & l2d2c.MaskOffer.$Shape;
    }

    namespace MaskOffer {

        /** Properties of a MaskOffer. */
        interface $Properties {

            /** MaskOffer version */
            version?: (number|null);

            /** MaskOffer requestId */
            requestId?: (number|null);

            /** MaskOffer status */
            status?: (l2d2c.OfferStatus|null);

            /** MaskOffer taskKey */
            taskKey?: (string|null);

            /** MaskOffer reward */
            reward?: (number|null);

            /** MaskOffer stepsTrained */
            stepsTrained?: (number|Long|null);

            /** MaskOffer cid */
            cid?: (Uint8Array|null);

            /** MaskOffer encodedSize */
            encodedSize?: (number|null);

            /** MaskOffer encodings */
            encodings?: (l2d2c.MaskEncoding[]|null);

            /** MaskOffer backboneId */
            backboneId?: (string|null);

            /** MaskOffer origin */
            origin?: (string|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a MaskOffer. */
        type $Shape = l2d2c.MaskOffer.$Properties;
    }

    /**
     * Properties of a MaskFetch.
     * @deprecated Use l2d2c.MaskFetch.$Properties instead.
     */
    interface IMaskFetch extends l2d2c.MaskFetch.$Properties {
    }

    /** Represents a MaskFetch. */
    class MaskFetch {

        /**
         * Constructs a new MaskFetch.
         * @param [properties] Properties to set
         */
        constructor(properties?: l2d2c.MaskFetch.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** MaskFetch version. */
        version: number;

        /** MaskFetch requestId. */
        requestId: number;

        /** MaskFetch cid. */
        cid?: (Uint8Array|null);

        /** MaskFetch taskKey. */
        taskKey?: (string|null);

        /** MaskFetch encoding. */
        encoding: l2d2c.MaskEncoding;

        /** MaskFetch backboneId. */
        backboneId: string;

        /** MaskFetch accept. */
        accept: l2d2c.MaskEncoding[];

        /** MaskFetch target. */
        target?: ("cid"|"taskKey");

        /**
         * Creates a new MaskFetch instance using the specified properties.
         * @param [properties] Properties to set
         * @returns MaskFetch instance
         */
        static create(properties: l2d2c.MaskFetch.$Shape): l2d2c.MaskFetch & l2d2c.MaskFetch.$Shape;
        static create(properties?: l2d2c.MaskFetch.$Properties): l2d2c.MaskFetch;

        /**
         * Encodes the specified MaskFetch message. Does not implicitly {@link l2d2c.MaskFetch.verify|verify} messages.
         * @param message MaskFetch message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: l2d2c.MaskFetch.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a MaskFetch message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {l2d2c.MaskFetch & l2d2c.MaskFetch.$Shape} MaskFetch
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): l2d2c.MaskFetch & l2d2c.MaskFetch.$Shape;
    }

    namespace MaskFetch {

        /** Properties of a MaskFetch. */
        interface $Properties {

            /** MaskFetch version */
            version?: (number|null);

            /** MaskFetch requestId */
            requestId?: (number|null);

            /** MaskFetch cid */
            cid?: (Uint8Array|null);

            /** MaskFetch taskKey */
            taskKey?: (string|null);

            /** MaskFetch encoding */
            encoding?: (l2d2c.MaskEncoding|null);

            /** MaskFetch backboneId */
            backboneId?: (string|null);

            /** MaskFetch accept */
            accept?: (l2d2c.MaskEncoding[]|null);

            /** MaskFetch target */
            target?: ("cid"|"taskKey");

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Narrowed shape of a MaskFetch. */
        type $Shape = {
          version?: number|null;
          requestId?: number|null;
          cid?: Uint8Array|null;
          taskKey?: string|null;
          encoding?: l2d2c.MaskEncoding|null;
          backboneId?: string|null;
          accept?: l2d2c.MaskEncoding[]|null;
          $unknowns?: Uint8Array[];
        } & (
          ({ target?: undefined; cid?: null; taskKey?: null }|{ target?: "cid"; cid: Uint8Array; taskKey?: null }|{ target?: "taskKey"; cid?: null; taskKey: string })
        );
    }

    /** TransferStatus enum. */
    enum TransferStatus {

        /** TRANSFER_STATUS_UNSPECIFIED value */
        TRANSFER_STATUS_UNSPECIFIED = 0,

        /** TRANSFER_STATUS_OK value */
        TRANSFER_STATUS_OK = 1,

        /** TRANSFER_STATUS_NOT_FOUND value */
        TRANSFER_STATUS_NOT_FOUND = 2,

        /** TRANSFER_STATUS_BACKBONE_MISMATCH value */
        TRANSFER_STATUS_BACKBONE_MISMATCH = 3,

        /** TRANSFER_STATUS_BUSY value */
        TRANSFER_STATUS_BUSY = 4,

        /** TRANSFER_STATUS_UNSUPPORTED_ENCODING value */
        TRANSFER_STATUS_UNSUPPORTED_ENCODING = 5,

        /** TRANSFER_STATUS_BAD_REQUEST value */
        TRANSFER_STATUS_BAD_REQUEST = 6,

        /** TRANSFER_STATUS_INTERNAL_ERROR value */
        TRANSFER_STATUS_INTERNAL_ERROR = 7,

        /** TRANSFER_STATUS_REFUSED value */
        TRANSFER_STATUS_REFUSED = 8
    }

    /**
     * Properties of a MaskTransferHeader.
     * @deprecated Use l2d2c.MaskTransferHeader.$Properties instead.
     */
    interface IMaskTransferHeader extends l2d2c.MaskTransferHeader.$Properties {
    }

    /** Represents a MaskTransferHeader. */
    class MaskTransferHeader {

        /**
         * Constructs a new MaskTransferHeader.
         * @param [properties] Properties to set
         */
        constructor(properties?: l2d2c.MaskTransferHeader.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** MaskTransferHeader version. */
        version: number;

        /** MaskTransferHeader requestId. */
        requestId: number;

        /** MaskTransferHeader status. */
        status: l2d2c.TransferStatus;

        /** MaskTransferHeader cid. */
        cid: Uint8Array;

        /** MaskTransferHeader encoding. */
        encoding: l2d2c.MaskEncoding;

        /** MaskTransferHeader totalSize. */
        totalSize: number;

        /** MaskTransferHeader chunkSize. */
        chunkSize: number;

        /** MaskTransferHeader chunkCount. */
        chunkCount: number;

        /** MaskTransferHeader meta. */
        meta?: (l2d2c.MaskMeta.$Properties|null);

        /** MaskTransferHeader message. */
        message: string;

        /**
         * Creates a new MaskTransferHeader instance using the specified properties.
         * @param [properties] Properties to set
         * @returns MaskTransferHeader instance
         */
        static create(properties: l2d2c.MaskTransferHeader.$Shape): l2d2c.MaskTransferHeader & l2d2c.MaskTransferHeader.$Shape;
        static create(properties?: l2d2c.MaskTransferHeader.$Properties): l2d2c.MaskTransferHeader;

        /**
         * Encodes the specified MaskTransferHeader message. Does not implicitly {@link l2d2c.MaskTransferHeader.verify|verify} messages.
         * @param message MaskTransferHeader message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: l2d2c.MaskTransferHeader.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a MaskTransferHeader message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {l2d2c.MaskTransferHeader & l2d2c.MaskTransferHeader.$Shape} MaskTransferHeader
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): l2d2c.MaskTransferHeader & l2d2c.MaskTransferHeader.$Shape;
    }

    namespace MaskTransferHeader {

        /** Properties of a MaskTransferHeader. */
        interface $Properties {

            /** MaskTransferHeader version */
            version?: (number|null);

            /** MaskTransferHeader requestId */
            requestId?: (number|null);

            /** MaskTransferHeader status */
            status?: (l2d2c.TransferStatus|null);

            /** MaskTransferHeader cid */
            cid?: (Uint8Array|null);

            /** MaskTransferHeader encoding */
            encoding?: (l2d2c.MaskEncoding|null);

            /** MaskTransferHeader totalSize */
            totalSize?: (number|null);

            /** MaskTransferHeader chunkSize */
            chunkSize?: (number|null);

            /** MaskTransferHeader chunkCount */
            chunkCount?: (number|null);

            /** MaskTransferHeader meta */
            meta?: (l2d2c.MaskMeta.$Properties|null);

            /** MaskTransferHeader message */
            message?: (string|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a MaskTransferHeader. */
        type $Shape = l2d2c.MaskTransferHeader.$Properties;
    }

    /**
     * Properties of a MaskChunk.
     * @deprecated Use l2d2c.MaskChunk.$Properties instead.
     */
    interface IMaskChunk extends l2d2c.MaskChunk.$Properties {
    }

    /** Represents a MaskChunk. */
    class MaskChunk {

        /**
         * Constructs a new MaskChunk.
         * @param [properties] Properties to set
         */
        constructor(properties?: l2d2c.MaskChunk.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** MaskChunk index. */
        index: number;

        /** MaskChunk data. */
        data: Uint8Array;

        /**
         * Creates a new MaskChunk instance using the specified properties.
         * @param [properties] Properties to set
         * @returns MaskChunk instance
         */
        static create(properties: l2d2c.MaskChunk.$Shape): l2d2c.MaskChunk & l2d2c.MaskChunk.$Shape;
        static create(properties?: l2d2c.MaskChunk.$Properties): l2d2c.MaskChunk;

        /**
         * Encodes the specified MaskChunk message. Does not implicitly {@link l2d2c.MaskChunk.verify|verify} messages.
         * @param message MaskChunk message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: l2d2c.MaskChunk.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a MaskChunk message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {l2d2c.MaskChunk & l2d2c.MaskChunk.$Shape} MaskChunk
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): l2d2c.MaskChunk & l2d2c.MaskChunk.$Shape;
    }

    namespace MaskChunk {

        /** Properties of a MaskChunk. */
        interface $Properties {

            /** MaskChunk index */
            index?: (number|null);

            /** MaskChunk data */
            data?: (Uint8Array|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a MaskChunk. */
        type $Shape = l2d2c.MaskChunk.$Properties;
    }

    /**
     * Properties of a MaskSummary.
     * @deprecated Use l2d2c.MaskSummary.$Properties instead.
     */
    interface IMaskSummary extends l2d2c.MaskSummary.$Properties {
    }

    /** Represents a MaskSummary. */
    class MaskSummary {

        /**
         * Constructs a new MaskSummary.
         * @param [properties] Properties to set
         */
        constructor(properties?: l2d2c.MaskSummary.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** MaskSummary taskKey. */
        taskKey: string;

        /** MaskSummary cid. */
        cid: Uint8Array;

        /** MaskSummary reward. */
        reward: number;

        /** MaskSummary stepsTrained. */
        stepsTrained: (number|Long);

        /** MaskSummary encodedSize. */
        encodedSize: number;

        /** MaskSummary encodings. */
        encodings: l2d2c.MaskEncoding[];

        /** MaskSummary origin. */
        origin: string;

        /**
         * Creates a new MaskSummary instance using the specified properties.
         * @param [properties] Properties to set
         * @returns MaskSummary instance
         */
        static create(properties: l2d2c.MaskSummary.$Shape): l2d2c.MaskSummary & l2d2c.MaskSummary.$Shape;
        static create(properties?: l2d2c.MaskSummary.$Properties): l2d2c.MaskSummary;

        /**
         * Encodes the specified MaskSummary message. Does not implicitly {@link l2d2c.MaskSummary.verify|verify} messages.
         * @param message MaskSummary message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: l2d2c.MaskSummary.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a MaskSummary message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {l2d2c.MaskSummary & l2d2c.MaskSummary.$Shape} MaskSummary
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): l2d2c.MaskSummary & l2d2c.MaskSummary.$Shape;
    }

    namespace MaskSummary {

        /** Properties of a MaskSummary. */
        interface $Properties {

            /** MaskSummary taskKey */
            taskKey?: (string|null);

            /** MaskSummary cid */
            cid?: (Uint8Array|null);

            /** MaskSummary reward */
            reward?: (number|null);

            /** MaskSummary stepsTrained */
            stepsTrained?: (number|Long|null);

            /** MaskSummary encodedSize */
            encodedSize?: (number|null);

            /** MaskSummary encodings */
            encodings?: (l2d2c.MaskEncoding[]|null);

            /** MaskSummary origin */
            origin?: (string|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a MaskSummary. */
        type $Shape = l2d2c.MaskSummary.$Properties;
    }

    /**
     * Properties of an InventoryAnnouncement.
     * @deprecated Use l2d2c.InventoryAnnouncement.$Properties instead.
     */
    interface IInventoryAnnouncement extends l2d2c.InventoryAnnouncement.$Properties {
    }

    /** Represents an InventoryAnnouncement. */
    class InventoryAnnouncement {

        /**
         * Constructs a new InventoryAnnouncement.
         * @param [properties] Properties to set
         */
        constructor(properties?: l2d2c.InventoryAnnouncement.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** InventoryAnnouncement version. */
        version: number;

        /** InventoryAnnouncement backboneId. */
        backboneId: string;

        /** InventoryAnnouncement masks. */
        masks: l2d2c.MaskSummary.$Properties[];

        /** InventoryAnnouncement sequence. */
        sequence: (number|Long);

        /** InventoryAnnouncement timestampMs. */
        timestampMs: (number|Long);

        /** InventoryAnnouncement role. */
        role: string;

        /** InventoryAnnouncement addrs. */
        addrs: Uint8Array[];

        /** InventoryAnnouncement totalSteps. */
        totalSteps: (number|Long);

        /** InventoryAnnouncement ownIcr. */
        ownIcr?: (number|null);

        /**
         * Creates a new InventoryAnnouncement instance using the specified properties.
         * @param [properties] Properties to set
         * @returns InventoryAnnouncement instance
         */
        static create(properties: l2d2c.InventoryAnnouncement.$Shape): l2d2c.InventoryAnnouncement & l2d2c.InventoryAnnouncement.$Shape;
        static create(properties?: l2d2c.InventoryAnnouncement.$Properties): l2d2c.InventoryAnnouncement;

        /**
         * Encodes the specified InventoryAnnouncement message. Does not implicitly {@link l2d2c.InventoryAnnouncement.verify|verify} messages.
         * @param message InventoryAnnouncement message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: l2d2c.InventoryAnnouncement.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes an InventoryAnnouncement message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {l2d2c.InventoryAnnouncement & l2d2c.InventoryAnnouncement.$Shape} InventoryAnnouncement
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): l2d2c.InventoryAnnouncement & l2d2c.InventoryAnnouncement.$Shape;
    }

    namespace InventoryAnnouncement {

        /** Properties of an InventoryAnnouncement. */
        interface $Properties {

            /** InventoryAnnouncement version */
            version?: (number|null);

            /** InventoryAnnouncement backboneId */
            backboneId?: (string|null);

            /** InventoryAnnouncement masks */
            masks?: (l2d2c.MaskSummary.$Properties[]|null);

            /** InventoryAnnouncement sequence */
            sequence?: (number|Long|null);

            /** InventoryAnnouncement timestampMs */
            timestampMs?: (number|Long|null);

            /** InventoryAnnouncement role */
            role?: (string|null);

            /** InventoryAnnouncement addrs */
            addrs?: (Uint8Array[]|null);

            /** InventoryAnnouncement totalSteps */
            totalSteps?: (number|Long|null);

            /** InventoryAnnouncement ownIcr */
            ownIcr?: (number|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of an InventoryAnnouncement. */
        type $Shape = l2d2c.InventoryAnnouncement.$Properties;
    }

    /**
     * Properties of an InventoryRequest.
     * @deprecated Use l2d2c.InventoryRequest.$Properties instead.
     */
    interface IInventoryRequest extends l2d2c.InventoryRequest.$Properties {
    }

    /** Represents an InventoryRequest. */
    class InventoryRequest {

        /**
         * Constructs a new InventoryRequest.
         * @param [properties] Properties to set
         */
        constructor(properties?: l2d2c.InventoryRequest.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** InventoryRequest version. */
        version: number;

        /** InventoryRequest requestId. */
        requestId: number;

        /**
         * Creates a new InventoryRequest instance using the specified properties.
         * @param [properties] Properties to set
         * @returns InventoryRequest instance
         */
        static create(properties: l2d2c.InventoryRequest.$Shape): l2d2c.InventoryRequest & l2d2c.InventoryRequest.$Shape;
        static create(properties?: l2d2c.InventoryRequest.$Properties): l2d2c.InventoryRequest;

        /**
         * Encodes the specified InventoryRequest message. Does not implicitly {@link l2d2c.InventoryRequest.verify|verify} messages.
         * @param message InventoryRequest message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: l2d2c.InventoryRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes an InventoryRequest message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {l2d2c.InventoryRequest & l2d2c.InventoryRequest.$Shape} InventoryRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): l2d2c.InventoryRequest & l2d2c.InventoryRequest.$Shape;
    }

    namespace InventoryRequest {

        /** Properties of an InventoryRequest. */
        interface $Properties {

            /** InventoryRequest version */
            version?: (number|null);

            /** InventoryRequest requestId */
            requestId?: (number|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of an InventoryRequest. */
        type $Shape = l2d2c.InventoryRequest.$Properties;
    }

    /**
     * Properties of a MaskFileHeader.
     * @deprecated Use l2d2c.MaskFileHeader.$Properties instead.
     */
    interface IMaskFileHeader extends l2d2c.MaskFileHeader.$Properties {
    }

    /** Represents a MaskFileHeader. */
    class MaskFileHeader {

        /**
         * Constructs a new MaskFileHeader.
         * @param [properties] Properties to set
         */
        constructor(properties?: l2d2c.MaskFileHeader.$Properties);

        /** Unknown fields preserved while decoding when enabled */
        $unknowns?: Uint8Array[];

        /** MaskFileHeader cid. */
        cid: Uint8Array;

        /** MaskFileHeader meta. */
        meta?: (l2d2c.MaskMeta.$Properties|null);

        /**
         * Creates a new MaskFileHeader instance using the specified properties.
         * @param [properties] Properties to set
         * @returns MaskFileHeader instance
         */
        static create(properties: l2d2c.MaskFileHeader.$Shape): l2d2c.MaskFileHeader & l2d2c.MaskFileHeader.$Shape;
        static create(properties?: l2d2c.MaskFileHeader.$Properties): l2d2c.MaskFileHeader;

        /**
         * Encodes the specified MaskFileHeader message. Does not implicitly {@link l2d2c.MaskFileHeader.verify|verify} messages.
         * @param message MaskFileHeader message or plain object to encode
         * @param [writer] Writer to encode to
         * @returns Writer
         */
        static encode(message: l2d2c.MaskFileHeader.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

        /**
         * Decodes a MaskFileHeader message from the specified reader or buffer.
         * @param reader Reader or buffer to decode from
         * @param [length] Message length if known beforehand
         * @returns {l2d2c.MaskFileHeader & l2d2c.MaskFileHeader.$Shape} MaskFileHeader
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): l2d2c.MaskFileHeader & l2d2c.MaskFileHeader.$Shape;
    }

    namespace MaskFileHeader {

        /** Properties of a MaskFileHeader. */
        interface $Properties {

            /** MaskFileHeader cid */
            cid?: (Uint8Array|null);

            /** MaskFileHeader meta */
            meta?: (l2d2c.MaskMeta.$Properties|null);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];
        }

        /** Shape of a MaskFileHeader. */
        type $Shape = l2d2c.MaskFileHeader.$Properties;
    }
}
