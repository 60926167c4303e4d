/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const l2d2c = $root.l2d2c = (() => {

    /**
     * Namespace l2d2c.
     * @exports l2d2c
     * @namespace
     */
    const l2d2c = {};

    /**
     * MaskEncoding enum.
     * @name l2d2c.MaskEncoding
     * @enum {number}
     * @property {number} MASK_ENCODING_UNSPECIFIED=0 MASK_ENCODING_UNSPECIFIED value
     * @property {number} MASK_ENCODING_BITS=1 MASK_ENCODING_BITS value
     * @property {number} MASK_ENCODING_F16=2 MASK_ENCODING_F16 value
     * @property {number} MASK_ENCODING_F32=3 MASK_ENCODING_F32 value
     * @property {number} MASK_ENCODING_DELTA=4 MASK_ENCODING_DELTA value
     */
    l2d2c.MaskEncoding = (function() {
        const valuesById = $Object.create(null), values = $Object.create(valuesById);
        values[valuesById[0] = "MASK_ENCODING_UNSPECIFIED"] = 0;
        values[valuesById[1] = "MASK_ENCODING_BITS"] = 1;
        values[valuesById[2] = "MASK_ENCODING_F16"] = 2;
        values[valuesById[3] = "MASK_ENCODING_F32"] = 3;
        values[valuesById[4] = "MASK_ENCODING_DELTA"] = 4;
        return values;
    })();

    l2d2c.MaskMeta = (function() {

        /**
         * Properties of a MaskMeta.
         * @typedef {Object} l2d2c.MaskMeta.$Properties
         * @property {number|null} [reward] MaskMeta reward
         * @property {number|Long|null} [stepsTrained] MaskMeta stepsTrained
         * @property {string|null} [origin] MaskMeta origin
         * @property {number|Long|null} [createdAtMs] MaskMeta createdAtMs
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a MaskMeta.
         * @memberof l2d2c
         * @interface IMaskMeta
         * @augments l2d2c.MaskMeta.$Properties
         * @deprecated Use l2d2c.MaskMeta.$Properties instead.
         */

        /**
         * Shape of a MaskMeta.
         * @typedef {l2d2c.MaskMeta.$Properties} l2d2c.MaskMeta.$Shape
         */

        /**
         * Constructs a new MaskMeta.
         * @memberof l2d2c
         * @classdesc Represents a MaskMeta.
         * @constructor
         * @param {l2d2c.MaskMeta.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const MaskMeta = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * MaskMeta reward.
         * @member {number} reward
         * @memberof l2d2c.MaskMeta
         * @instance
         */
        MaskMeta.prototype.reward = 0;

        /**
         * MaskMeta stepsTrained.
         * @member {number|Long} stepsTrained
         * @memberof l2d2c.MaskMeta
         * @instance
         */
        MaskMeta.prototype.stepsTrained = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

        /**
         * MaskMeta origin.
         * @member {string} origin
         * @memberof l2d2c.MaskMeta
         * @instance
         */
        MaskMeta.prototype.origin = "";

        /**
         * MaskMeta createdAtMs.
         * @member {number|Long} createdAtMs
         * @memberof l2d2c.MaskMeta
         * @instance
         */
        MaskMeta.prototype.createdAtMs = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

        /**
         * Creates a new MaskMeta instance using the specified properties.
         * @function create
         * @memberof l2d2c.MaskMeta
         * @static
         * @param {l2d2c.MaskMeta.$Properties=} [properties] Properties to set
         * @returns {l2d2c.MaskMeta} MaskMeta instance
         * @type {{
         *   (properties: l2d2c.MaskMeta.$Shape): l2d2c.MaskMeta & l2d2c.MaskMeta.$Shape;
         *   (properties?: l2d2c.MaskMeta.$Properties): l2d2c.MaskMeta;
         * }}
         */
        MaskMeta.create = function(properties) {
            return new MaskMeta(properties);
        };

        /**
         * Encodes the specified MaskMeta message. Does not implicitly {@link l2d2c.MaskMeta.verify|verify} messages.
         * @function encode
         * @memberof l2d2c.MaskMeta
         * @static
         * @param {l2d2c.MaskMeta.$Properties} message MaskMeta message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        MaskMeta.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.reward != null && $Object.hasOwnProperty.call(message, "reward") && !$Object.is(message.reward, 0))
                writer.uint32(/* id 1, wireType 1 =*/9).double(message.reward);
            if (message.stepsTrained != null && $Object.hasOwnProperty.call(message, "stepsTrained") && (typeof message.stepsTrained === "object" ? message.stepsTrained.low || message.stepsTrained.high : message.stepsTrained !== 0))
                writer.uint32(/* id 2, wireType 0 =*/16).uint64(message.stepsTrained);
            if (message.origin != null && $Object.hasOwnProperty.call(message, "origin") && message.origin !== "")
                writer.uint32(/* id 3, wireType 2 =*/26).string(message.origin);
            if (message.createdAtMs != null && $Object.hasOwnProperty.call(message, "createdAtMs") && (typeof message.createdAtMs === "object" ? message.createdAtMs.low || message.createdAtMs.high : message.createdAtMs !== 0))
                writer.uint32(/* id 4, wireType 0 =*/32).uint64(message.createdAtMs);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a MaskMeta message from the specified reader or buffer.
         * @function decode
         * @memberof l2d2c.MaskMeta
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {l2d2c.MaskMeta & l2d2c.MaskMeta.$Shape} MaskMeta
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        MaskMeta.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.l2d2c.MaskMeta();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 1)
                            break;
                        if (!$Object.is(value = reader.double(), 0))
                            message.reward = value;
                        else
                            delete message.reward;
                        continue;
                    }
                case 2: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                            message.stepsTrained = value;
                        else
                            delete message.stepsTrained;
                        continue;
                    }
                case 3: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.origin = value;
                        else
                            delete message.origin;
                        continue;
                    }
                case 4: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                            message.createdAtMs = value;
                        else
                            delete message.createdAtMs;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return MaskMeta;
    })();

    l2d2c.MaskQuery = (function() {

        /**
         * Properties of a MaskQuery.
         * @typedef {Object} l2d2c.MaskQuery.$Properties
         * @property {number|null} [version] MaskQuery version
         * @property {number|null} [requestId] MaskQuery requestId
         * @property {string|null} [taskKey] MaskQuery taskKey
         * @property {number|null} [reward] MaskQuery reward
         * @property {string|null} [backboneId] MaskQuery backboneId
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a MaskQuery.
         * @memberof l2d2c
         * @interface IMaskQuery
         * @augments l2d2c.MaskQuery.$Properties
         * @deprecated Use l2d2c.MaskQuery.$Properties instead.
         */

        /**
         * Shape of a MaskQuery.
         * @typedef {l2d2c.MaskQuery.$Properties} l2d2c.MaskQuery.$Shape
         */

        /**
         * Constructs a new MaskQuery.
         * @memberof l2d2c
         * @classdesc Represents a MaskQuery.
         * @constructor
         * @param {l2d2c.MaskQuery.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const MaskQuery = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * MaskQuery version.
         * @member {number} version
         * @memberof l2d2c.MaskQuery
         * @instance
         */
        MaskQuery.prototype.version = 0;

        /**
         * MaskQuery requestId.
         * @member {number} requestId
         * @memberof l2d2c.MaskQuery
         * @instance
         */
        MaskQuery.prototype.requestId = 0;

        /**
         * MaskQuery taskKey.
         * @member {string} taskKey
         * @memberof l2d2c.MaskQuery
         * @instance
         */
        MaskQuery.prototype.taskKey = "";

        /**
         * MaskQuery reward.
         * @member {number|null|undefined} reward
         * @memberof l2d2c.MaskQuery
         * @instance
         */
        MaskQuery.prototype.reward = null;

        /**
         * MaskQuery backboneId.
         * @member {string} backboneId
         * @memberof l2d2c.MaskQuery
         * @instance
         */
        MaskQuery.prototype.backboneId = "";

        // OneOf field names bound to virtual getters and setters
        let $oneOfFields;

        // Virtual OneOf for proto3 optional field
        $Object.defineProperty(MaskQuery.prototype, "_reward", {
            get: $util.oneOfGetter($oneOfFields = ["reward"]),
            set: $util.oneOfSetter($oneOfFields)
        });

        /**
         * Creates a new MaskQuery instance using the specified properties.
         * @function create
         * @memberof l2d2c.MaskQuery
         * @static
         * @param {l2d2c.MaskQuery.$Properties=} [properties] Properties to set
         * @returns {l2d2c.MaskQuery} MaskQuery instance
         * @type {{
         *   (properties: l2d2c.MaskQuery.$Shape): l2d2c.MaskQuery & l2d2c.MaskQuery.$Shape;
         *   (properties?: l2d2c.MaskQuery.$Properties): l2d2c.MaskQuery;
         * }}
         */
        MaskQuery.create = function(properties) {
            return new MaskQuery(properties);
        };

        /**
         * Encodes the specified MaskQuery message. Does not implicitly {@link l2d2c.MaskQuery.verify|verify} messages.
         * @function encode
         * @memberof l2d2c.MaskQuery
         * @static
         * @param {l2d2c.MaskQuery.$Properties} message MaskQuery message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        MaskQuery.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.version != null && $Object.hasOwnProperty.call(message, "version") && message.version !== 0)
                writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.version);
            if (message.requestId != null && $Object.hasOwnProperty.call(message, "requestId") && message.requestId !== 0)
                writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.requestId);
            if (message.taskKey != null && $Object.hasOwnProperty.call(message, "taskKey") && message.taskKey !== "")
                writer.uint32(/* id 3, wireType 2 =*/26).string(message.taskKey);
            if (message.reward != null && $Object.hasOwnProperty.call(message, "reward"))
                writer.uint32(/* id 4, wireType 1 =*/33).double(message.reward);
            if (message.backboneId != null && $Object.hasOwnProperty.call(message, "backboneId") && message.backboneId !== "")
                writer.uint32(/* id 5, wireType 2 =*/42).string(message.backboneId);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a MaskQuery message from the specified reader or buffer.
         * @function decode
         * @memberof l2d2c.MaskQuery
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {l2d2c.MaskQuery & l2d2c.MaskQuery.$Shape} MaskQuery
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        MaskQuery.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.l2d2c.MaskQuery();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.version = value;
                        else
                            delete message.version;
                        continue;
                    }
                case 2: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.requestId = value;
                        else
                            delete message.requestId;
                        continue;
                    }
                case 3: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.taskKey = value;
                        else
                            delete message.taskKey;
                        continue;
                    }
                case 4: {
                        if (wireType !== 1)
                            break;
                        message.reward = reader.double();
                        message._reward = "reward";
                        continue;
                    }
                case 5: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.backboneId = value;
                        else
                            delete message.backboneId;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return MaskQuery;
    })();

    /**
     * OfferStatus enum.
     * @name l2d2c.OfferStatus
     * @enum {number}
     * @property {number} OFFER_STATUS_UNSPECIFIED=0 OFFER_STATUS_UNSPECIFIED value
     * @property {number} OFFER_STATUS_HAS_MASK=1 OFFER_STATUS_HAS_MASK value
     * @property {number} OFFER_STATUS_NO_MASK=2 OFFER_STATUS_NO_MASK value
     * @property {number} OFFER_STATUS_BACKBONE_MISMATCH=3 OFFER_STATUS_BACKBONE_MISMATCH value
     * @property {number} OFFER_STATUS_BUSY=4 OFFER_STATUS_BUSY value
     * @property {number} OFFER_STATUS_REFUSED=5 OFFER_STATUS_REFUSED value
     */
    l2d2c.OfferStatus = (function() {
        const valuesById = $Object.create(null), values = $Object.create(valuesById);
        values[valuesById[0] = "OFFER_STATUS_UNSPECIFIED"] = 0;
        values[valuesById[1] = "OFFER_STATUS_HAS_MASK"] = 1;
        values[valuesById[2] = "OFFER_STATUS_NO_MASK"] = 2;
        values[valuesById[3] = "OFFER_STATUS_BACKBONE_MISMATCH"] = 3;
        values[valuesById[4] = "OFFER_STATUS_BUSY"] = 4;
        values[valuesById[5] = "OFFER_STATUS_REFUSED"] = 5;
        return values;
    })();

    l2d2c.MaskOffer = (function() {

        /**
         * Properties of a MaskOffer.
         * @typedef {Object} l2d2c.MaskOffer.$Properties
         * @property {number|null} [version] MaskOffer version
         * @property {number|null} [requestId] MaskOffer requestId
         * @property {l2d2c.OfferStatus|null} [status] MaskOffer status
         * @property {string|null} [taskKey] MaskOffer taskKey
         * @property {number|null} [reward] MaskOffer reward
         * @property {number|Long|null} [stepsTrained] MaskOffer stepsTrained
         * @property {Uint8Array|null} [cid] MaskOffer cid
         * @property {number|null} [encodedSize] MaskOffer encodedSize
         * @property {Array.<l2d2c.MaskEncoding>|null} [encodings] MaskOffer encodings
         * @property {string|null} [backboneId] MaskOffer backboneId
         * @property {string|null} [origin] MaskOffer origin
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a MaskOffer.
         * @memberof l2d2c
         * @interface IMaskOffer
         * @augments l2d2c.MaskOffer.$Properties
         * @deprecated Use l2d2c.MaskOffer.$Properties instead.
         */

        /**
         * Shape of a MaskOffer.
         * @typedef {l2d2c.MaskOffer.$Properties} l2d2c.MaskOffer.$Shape
         */

        /**
         * Constructs a new MaskOffer.
         * @memberof l2d2c
         * @classdesc Represents a MaskOffer.
         * @constructor
         * @param {l2d2c.MaskOffer.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const MaskOffer = function (properties) {
            this.encodings = [];
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * MaskOffer version.
         * @member {number} version
         * @memberof l2d2c.MaskOffer
         * @instance
         */
        MaskOffer.prototype.version = 0;

        /**
         * MaskOffer requestId.
         * @member {number} requestId
         * @memberof l2d2c.MaskOffer
         * @instance
         */
        MaskOffer.prototype.requestId = 0;

        /**
         * MaskOffer status.
         * @member {l2d2c.OfferStatus} status
         * @memberof l2d2c.MaskOffer
         * @instance
         */
        MaskOffer.prototype.status = 0;

        /**
         * MaskOffer taskKey.
         * @member {string} taskKey
         * @memberof l2d2c.MaskOffer
         * @instance
         */
        MaskOffer.prototype.taskKey = "";

        /**
         * MaskOffer reward.
         * @member {number} reward
         * @memberof l2d2c.MaskOffer
         * @instance
         */
        MaskOffer.prototype.reward = 0;

        /**
         * MaskOffer stepsTrained.
         * @member {number|Long} stepsTrained
         * @memberof l2d2c.MaskOffer
         * @instance
         */
        MaskOffer.prototype.stepsTrained = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

        /**
         * MaskOffer cid.
         * @member {Uint8Array} cid
         * @memberof l2d2c.MaskOffer
         * @instance
         */
        MaskOffer.prototype.cid = $util.newBuffer([]);

        /**
         * MaskOffer encodedSize.
         * @member {number} encodedSize
         * @memberof l2d2c.MaskOffer
         * @instance
         */
        MaskOffer.prototype.encodedSize = 0;

        /**
         * MaskOffer encodings.
         * @member {Array.<l2d2c.MaskEncoding>} encodings
         * @memberof l2d2c.MaskOffer
         * @instance
         */
        MaskOffer.prototype.encodings = $util.emptyArray;

        /**
         * MaskOffer backboneId.
         * @member {string} backboneId
         * @memberof l2d2c.MaskOffer
         * @instance
         */
        MaskOffer.prototype.backboneId = "";

        /**
         * MaskOffer origin.
         * @member {string} origin
         * @memberof l2d2c.MaskOffer
         * @instance
         */
        MaskOffer.prototype.origin = "";

        /**
         * Creates a new MaskOffer instance using the specified properties.
         * @function create
         * @memberof l2d2c.MaskOffer
         * @static
         * @param {l2d2c.MaskOffer.$Properties=} [properties] Properties to set
         * @returns {l2d2c.MaskOffer} MaskOffer instance
         * @type {{
         *   (properties: l2d2c.MaskOffer.$Shape): l2d2c.MaskOffer & l2d2c.MaskOffer.$Shape;
         *   (properties?: l2d2c.MaskOffer.$Properties): l2d2c.MaskOffer;
         * }}
         */
        MaskOffer.create = function(properties) {
            return new MaskOffer(properties);
        };

        /**
         * Encodes the specified MaskOffer message. Does not implicitly {@link l2d2c.MaskOffer.verify|verify} messages.
         * @function encode
         * @memberof l2d2c.MaskOffer
         * @static
         * @param {l2d2c.MaskOffer.$Properties} message MaskOffer message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        MaskOffer.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.version != null && $Object.hasOwnProperty.call(message, "version") && message.version !== 0)
                writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.version);
            if (message.requestId != null && $Object.hasOwnProperty.call(message, "requestId") && message.requestId !== 0)
                writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.requestId);
            if (message.status != null && $Object.hasOwnProperty.call(message, "status") && message.status !== 0)
                writer.uint32(/* id 3, wireType 0 =*/24).int32(message.status);
            if (message.taskKey != null && $Object.hasOwnProperty.call(message, "taskKey") && message.taskKey !== "")
                writer.uint32(/* id 4, wireType 2 =*/34).string(message.taskKey);
            if (message.reward != null && $Object.hasOwnProperty.call(message, "reward") && !$Object.is(message.reward, 0))
                writer.uint32(/* id 5, wireType 1 =*/41).double(message.reward);
            if (message.stepsTrained != null && $Object.hasOwnProperty.call(message, "stepsTrained") && (typeof message.stepsTrained === "object" ? message.stepsTrained.low || message.stepsTrained.high : message.stepsTrained !== 0))
                writer.uint32(/* id 6, wireType 0 =*/48).uint64(message.stepsTrained);
            if (message.cid != null && $Object.hasOwnProperty.call(message, "cid") && message.cid.length)
                writer.uint32(/* id 7, wireType 2 =*/58).bytes(message.cid);
            if (message.encodedSize != null && $Object.hasOwnProperty.call(message, "encodedSize") && message.encodedSize !== 0)
                writer.uint32(/* id 8, wireType 0 =*/64).uint32(message.encodedSize);
            if (message.encodings != null && message.encodings.length)
                writer.uint32(/* id 9, wireType 2 =*/74).int32s(message.encodings);
            if (message.backboneId != null && $Object.hasOwnProperty.call(message, "backboneId") && message.backboneId !== "")
                writer.uint32(/* id 10, wireType 2 =*/82).string(message.backboneId);
            if (message.origin != null && $Object.hasOwnProperty.call(message, "origin") && message.origin !== "")
                writer.uint32(/* id 11, wireType 2 =*/90).string(message.origin);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a MaskOffer message from the specified reader or buffer.
         * @function decode
         * @memberof l2d2c.MaskOffer
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {l2d2c.MaskOffer & l2d2c.MaskOffer.$Shape} MaskOffer
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        MaskOffer.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.l2d2c.MaskOffer();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.version = value;
                        else
                            delete message.version;
                        continue;
                    }
                case 2: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.requestId = value;
                        else
                            delete message.requestId;
                        continue;
                    }
                case 3: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.int32())
                            message.status = value;
                        else
                            delete message.status;
                        continue;
                    }
                case 4: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.taskKey = value;
                        else
                            delete message.taskKey;
                        continue;
                    }
                case 5: {
                        if (wireType !== 1)
                            break;
                        if (!$Object.is(value = reader.double(), 0))
                            message.reward = value;
                        else
                            delete message.reward;
                        continue;
                    }
                case 6: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                            message.stepsTrained = value;
                        else
                            delete message.stepsTrained;
                        continue;
                    }
                case 7: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.bytes()).length)
                            message.cid = value;
                        else
                            delete message.cid;
                        continue;
                    }
                case 8: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.encodedSize = value;
                        else
                            delete message.encodedSize;
                        continue;
                    }
                case 9: {
                        if (wireType === 2) {
                            if (!(message.encodings && message.encodings.length))
                                message.encodings = [];
                            reader.int32s(message.encodings);
                            continue;
                        }
                        if (wireType !== 0)
                            break;
                        if (!(message.encodings && message.encodings.length))
                            message.encodings = [];
                        message.encodings.push(reader.int32());
                        continue;
                    }
                case 10: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.backboneId = value;
                        else
                            delete message.backboneId;
                        continue;
                    }
                case 11: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.origin = value;
                        else
                            delete message.origin;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return MaskOffer;
    })();

    l2d2c.MaskFetch = (function() {

        /**
         * Properties of a MaskFetch.
         * @typedef {Object} l2d2c.MaskFetch.$Properties
         * @property {number|null} [version] MaskFetch version
         * @property {number|null} [requestId] MaskFetch requestId
         * @property {Uint8Array|null} [cid] MaskFetch cid
         * @property {string|null} [taskKey] MaskFetch taskKey
         * @property {l2d2c.MaskEncoding|null} [encoding] MaskFetch encoding
         * @property {string|null} [backboneId] MaskFetch backboneId
         * @property {Array.<l2d2c.MaskEncoding>|null} [accept] MaskFetch accept
         * @property {"cid"|"taskKey"} [target] MaskFetch target
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a MaskFetch.
         * @memberof l2d2c
         * @interface IMaskFetch
         * @augments l2d2c.MaskFetch.$Properties
         * @deprecated Use l2d2c.MaskFetch.$Properties instead.
         */

        /**
         * Narrowed shape of a MaskFetch.
         * @typedef {{
         *   version?: number|null;
         *   requestId?: number|null;
         *   cid?: Uint8Array|null;
         *   taskKey?: string|null;
         *   encoding?: l2d2c.MaskEncoding|null;
         *   backboneId?: string|null;
         *   accept?: Array.<l2d2c.MaskEncoding>|null;
         *   $unknowns?: Array.<Uint8Array>;
         * } & (
         *   ({ target?: undefined; cid?: null; taskKey?: null }|{ target?: "cid"; cid: Uint8Array; taskKey?: null }|{ target?: "taskKey"; cid?: null; taskKey: string })
         * )} l2d2c.MaskFetch.$Shape
         */

        /**
         * Constructs a new MaskFetch.
         * @memberof l2d2c
         * @classdesc Represents a MaskFetch.
         * @constructor
         * @param {l2d2c.MaskFetch.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const MaskFetch = function (properties) {
            this.accept = [];
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * MaskFetch version.
         * @member {number} version
         * @memberof l2d2c.MaskFetch
         * @instance
         */
        MaskFetch.prototype.version = 0;

        /**
         * MaskFetch requestId.
         * @member {number} requestId
         * @memberof l2d2c.MaskFetch
         * @instance
         */
        MaskFetch.prototype.requestId = 0;

        /**
         * MaskFetch cid.
         * @member {Uint8Array|null|undefined} cid
         * @memberof l2d2c.MaskFetch
         * @instance
         */
        MaskFetch.prototype.cid = null;

        /**
         * MaskFetch taskKey.
         * @member {string|null|undefined} taskKey
         * @memberof l2d2c.MaskFetch
         * @instance
         */
        MaskFetch.prototype.taskKey = null;

        /**
         * MaskFetch encoding.
         * @member {l2d2c.MaskEncoding} encoding
         * @memberof l2d2c.MaskFetch
         * @instance
         */
        MaskFetch.prototype.encoding = 0;

        /**
         * MaskFetch backboneId.
         * @member {string} backboneId
         * @memberof l2d2c.MaskFetch
         * @instance
         */
        MaskFetch.prototype.backboneId = "";

        /**
         * MaskFetch accept.
         * @member {Array.<l2d2c.MaskEncoding>} accept
         * @memberof l2d2c.MaskFetch
         * @instance
         */
        MaskFetch.prototype.accept = $util.emptyArray;

        // OneOf field names bound to virtual getters and setters
        let $oneOfFields;

        /**
         * MaskFetch target.
         * @member {"cid"|"taskKey"|undefined} target
         * @memberof l2d2c.MaskFetch
         * @instance
         */
        $Object.defineProperty(MaskFetch.prototype, "target", {
            get: $util.oneOfGetter($oneOfFields = ["cid", "taskKey"]),
            set: $util.oneOfSetter($oneOfFields)
        });

        /**
         * Creates a new MaskFetch instance using the specified properties.
         * @function create
         * @memberof l2d2c.MaskFetch
         * @static
         * @param {l2d2c.MaskFetch.$Properties=} [properties] Properties to set
         * @returns {l2d2c.MaskFetch} MaskFetch instance
         * @type {{
         *   (properties: l2d2c.MaskFetch.$Shape): l2d2c.MaskFetch & l2d2c.MaskFetch.$Shape;
         *   (properties?: l2d2c.MaskFetch.$Properties): l2d2c.MaskFetch;
         * }}
         */
        MaskFetch.create = function(properties) {
            return new MaskFetch(properties);
        };

        /**
         * Encodes the specified MaskFetch message. Does not implicitly {@link l2d2c.MaskFetch.verify|verify} messages.
         * @function encode
         * @memberof l2d2c.MaskFetch
         * @static
         * @param {l2d2c.MaskFetch.$Properties} message MaskFetch message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        MaskFetch.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.version != null && $Object.hasOwnProperty.call(message, "version") && message.version !== 0)
                writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.version);
            if (message.requestId != null && $Object.hasOwnProperty.call(message, "requestId") && message.requestId !== 0)
                writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.requestId);
            if (message.cid != null && $Object.hasOwnProperty.call(message, "cid"))
                writer.uint32(/* id 3, wireType 2 =*/26).bytes(message.cid);
            if (message.taskKey != null && $Object.hasOwnProperty.call(message, "taskKey"))
                writer.uint32(/* id 4, wireType 2 =*/34).string(message.taskKey);
            if (message.encoding != null && $Object.hasOwnProperty.call(message, "encoding") && message.encoding !== 0)
                writer.uint32(/* id 5, wireType 0 =*/40).int32(message.encoding);
            if (message.backboneId != null && $Object.hasOwnProperty.call(message, "backboneId") && message.backboneId !== "")
                writer.uint32(/* id 6, wireType 2 =*/50).string(message.backboneId);
            if (message.accept != null && message.accept.length)
                writer.uint32(/* id 7, wireType 2 =*/58).int32s(message.accept);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a MaskFetch message from the specified reader or buffer.
         * @function decode
         * @memberof l2d2c.MaskFetch
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {l2d2c.MaskFetch & l2d2c.MaskFetch.$Shape} MaskFetch
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        MaskFetch.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.l2d2c.MaskFetch();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.version = value;
                        else
                            delete message.version;
                        continue;
                    }
                case 2: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.requestId = value;
                        else
                            delete message.requestId;
                        continue;
                    }
                case 3: {
                        if (wireType !== 2)
                            break;
                        message.cid = reader.bytes();
                        message.target = "cid";
                        continue;
                    }
                case 4: {
                        if (wireType !== 2)
                            break;
                        message.taskKey = reader.stringVerify();
                        message.target = "taskKey";
                        continue;
                    }
                case 5: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.int32())
                            message.encoding = value;
                        else
                            delete message.encoding;
                        continue;
                    }
                case 6: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.backboneId = value;
                        else
                            delete message.backboneId;
                        continue;
                    }
                case 7: {
                        if (wireType === 2) {
                            if (!(message.accept && message.accept.length))
                                message.accept = [];
                            reader.int32s(message.accept);
                            continue;
                        }
                        if (wireType !== 0)
                            break;
                        if (!(message.accept && message.accept.length))
                            message.accept = [];
                        message.accept.push(reader.int32());
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return MaskFetch;
    })();

    /**
     * TransferStatus enum.
     * @name l2d2c.TransferStatus
     * @enum {number}
     * @property {number} TRANSFER_STATUS_UNSPECIFIED=0 TRANSFER_STATUS_UNSPECIFIED value
     * @property {number} TRANSFER_STATUS_OK=1 TRANSFER_STATUS_OK value
     * @property {number} TRANSFER_STATUS_NOT_FOUND=2 TRANSFER_STATUS_NOT_FOUND value
     * @property {number} TRANSFER_STATUS_BACKBONE_MISMATCH=3 TRANSFER_STATUS_BACKBONE_MISMATCH value
     * @property {number} TRANSFER_STATUS_BUSY=4 TRANSFER_STATUS_BUSY value
     * @property {number} TRANSFER_STATUS_UNSUPPORTED_ENCODING=5 TRANSFER_STATUS_UNSUPPORTED_ENCODING value
     * @property {number} TRANSFER_STATUS_BAD_REQUEST=6 TRANSFER_STATUS_BAD_REQUEST value
     * @property {number} TRANSFER_STATUS_INTERNAL_ERROR=7 TRANSFER_STATUS_INTERNAL_ERROR value
     * @property {number} TRANSFER_STATUS_REFUSED=8 TRANSFER_STATUS_REFUSED value
     */
    l2d2c.TransferStatus = (function() {
        const valuesById = $Object.create(null), values = $Object.create(valuesById);
        values[valuesById[0] = "TRANSFER_STATUS_UNSPECIFIED"] = 0;
        values[valuesById[1] = "TRANSFER_STATUS_OK"] = 1;
        values[valuesById[2] = "TRANSFER_STATUS_NOT_FOUND"] = 2;
        values[valuesById[3] = "TRANSFER_STATUS_BACKBONE_MISMATCH"] = 3;
        values[valuesById[4] = "TRANSFER_STATUS_BUSY"] = 4;
        values[valuesById[5] = "TRANSFER_STATUS_UNSUPPORTED_ENCODING"] = 5;
        values[valuesById[6] = "TRANSFER_STATUS_BAD_REQUEST"] = 6;
        values[valuesById[7] = "TRANSFER_STATUS_INTERNAL_ERROR"] = 7;
        values[valuesById[8] = "TRANSFER_STATUS_REFUSED"] = 8;
        return values;
    })();

    l2d2c.MaskTransferHeader = (function() {

        /**
         * Properties of a MaskTransferHeader.
         * @typedef {Object} l2d2c.MaskTransferHeader.$Properties
         * @property {number|null} [version] MaskTransferHeader version
         * @property {number|null} [requestId] MaskTransferHeader requestId
         * @property {l2d2c.TransferStatus|null} [status] MaskTransferHeader status
         * @property {Uint8Array|null} [cid] MaskTransferHeader cid
         * @property {l2d2c.MaskEncoding|null} [encoding] MaskTransferHeader encoding
         * @property {number|null} [totalSize] MaskTransferHeader totalSize
         * @property {number|null} [chunkSize] MaskTransferHeader chunkSize
         * @property {number|null} [chunkCount] MaskTransferHeader chunkCount
         * @property {l2d2c.MaskMeta.$Properties|null} [meta] MaskTransferHeader meta
         * @property {string|null} [message] MaskTransferHeader message
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a MaskTransferHeader.
         * @memberof l2d2c
         * @interface IMaskTransferHeader
         * @augments l2d2c.MaskTransferHeader.$Properties
         * @deprecated Use l2d2c.MaskTransferHeader.$Properties instead.
         */

        /**
         * Shape of a MaskTransferHeader.
         * @typedef {l2d2c.MaskTransferHeader.$Properties} l2d2c.MaskTransferHeader.$Shape
         */

        /**
         * Constructs a new MaskTransferHeader.
         * @memberof l2d2c
         * @classdesc Represents a MaskTransferHeader.
         * @constructor
         * @param {l2d2c.MaskTransferHeader.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const MaskTransferHeader = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * MaskTransferHeader version.
         * @member {number} version
         * @memberof l2d2c.MaskTransferHeader
         * @instance
         */
        MaskTransferHeader.prototype.version = 0;

        /**
         * MaskTransferHeader requestId.
         * @member {number} requestId
         * @memberof l2d2c.MaskTransferHeader
         * @instance
         */
        MaskTransferHeader.prototype.requestId = 0;

        /**
         * MaskTransferHeader status.
         * @member {l2d2c.TransferStatus} status
         * @memberof l2d2c.MaskTransferHeader
         * @instance
         */
        MaskTransferHeader.prototype.status = 0;

        /**
         * MaskTransferHeader cid.
         * @member {Uint8Array} cid
         * @memberof l2d2c.MaskTransferHeader
         * @instance
         */
        MaskTransferHeader.prototype.cid = $util.newBuffer([]);

        /**
         * MaskTransferHeader encoding.
         * @member {l2d2c.MaskEncoding} encoding
         * @memberof l2d2c.MaskTransferHeader
         * @instance
         */
        MaskTransferHeader.prototype.encoding = 0;

        /**
         * MaskTransferHeader totalSize.
         * @member {number} totalSize
         * @memberof l2d2c.MaskTransferHeader
         * @instance
         */
        MaskTransferHeader.prototype.totalSize = 0;

        /**
         * MaskTransferHeader chunkSize.
         * @member {number} chunkSize
         * @memberof l2d2c.MaskTransferHeader
         * @instance
         */
        MaskTransferHeader.prototype.chunkSize = 0;

        /**
         * MaskTransferHeader chunkCount.
         * @member {number} chunkCount
         * @memberof l2d2c.MaskTransferHeader
         * @instance
         */
        MaskTransferHeader.prototype.chunkCount = 0;

        /**
         * MaskTransferHeader meta.
         * @member {l2d2c.MaskMeta.$Properties|null|undefined} meta
         * @memberof l2d2c.MaskTransferHeader
         * @instance
         */
        MaskTransferHeader.prototype.meta = null;

        /**
         * MaskTransferHeader message.
         * @member {string} message
         * @memberof l2d2c.MaskTransferHeader
         * @instance
         */
        MaskTransferHeader.prototype.message = "";

        /**
         * Creates a new MaskTransferHeader instance using the specified properties.
         * @function create
         * @memberof l2d2c.MaskTransferHeader
         * @static
         * @param {l2d2c.MaskTransferHeader.$Properties=} [properties] Properties to set
         * @returns {l2d2c.MaskTransferHeader} MaskTransferHeader instance
         * @type {{
         *   (properties: l2d2c.MaskTransferHeader.$Shape): l2d2c.MaskTransferHeader & l2d2c.MaskTransferHeader.$Shape;
         *   (properties?: l2d2c.MaskTransferHeader.$Properties): l2d2c.MaskTransferHeader;
         * }}
         */
        MaskTransferHeader.create = function(properties) {
            return new MaskTransferHeader(properties);
        };

        /**
         * Encodes the specified MaskTransferHeader message. Does not implicitly {@link l2d2c.MaskTransferHeader.verify|verify} messages.
         * @function encode
         * @memberof l2d2c.MaskTransferHeader
         * @static
         * @param {l2d2c.MaskTransferHeader.$Properties} message MaskTransferHeader message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        MaskTransferHeader.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.version != null && $Object.hasOwnProperty.call(message, "version") && message.version !== 0)
                writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.version);
            if (message.requestId != null && $Object.hasOwnProperty.call(message, "requestId") && message.requestId !== 0)
                writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.requestId);
            if (message.status != null && $Object.hasOwnProperty.call(message, "status") && message.status !== 0)
                writer.uint32(/* id 3, wireType 0 =*/24).int32(message.status);
            if (message.cid != null && $Object.hasOwnProperty.call(message, "cid") && message.cid.length)
                writer.uint32(/* id 4, wireType 2 =*/34).bytes(message.cid);
            if (message.encoding != null && $Object.hasOwnProperty.call(message, "encoding") && message.encoding !== 0)
                writer.uint32(/* id 5, wireType 0 =*/40).int32(message.encoding);
            if (message.totalSize != null && $Object.hasOwnProperty.call(message, "totalSize") && message.totalSize !== 0)
                writer.uint32(/* id 6, wireType 0 =*/48).uint32(message.totalSize);
            if (message.chunkSize != null && $Object.hasOwnProperty.call(message, "chunkSize") && message.chunkSize !== 0)
                writer.uint32(/* id 7, wireType 0 =*/56).uint32(message.chunkSize);
            if (message.chunkCount != null && $Object.hasOwnProperty.call(message, "chunkCount") && message.chunkCount !== 0)
                writer.uint32(/* id 8, wireType 0 =*/64).uint32(message.chunkCount);
            if (message.meta != null && $Object.hasOwnProperty.call(message, "meta"))
                $root.l2d2c.MaskMeta.encode(message.meta, writer.uint32(/* id 9, wireType 2 =*/74).fork(), _depth + 1).ldelim();
            if (message.message != null && $Object.hasOwnProperty.call(message, "message") && message.message !== "")
                writer.uint32(/* id 10, wireType 2 =*/82).string(message.message);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a MaskTransferHeader message from the specified reader or buffer.
         * @function decode
         * @memberof l2d2c.MaskTransferHeader
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {l2d2c.MaskTransferHeader & l2d2c.MaskTransferHeader.$Shape} MaskTransferHeader
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        MaskTransferHeader.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.l2d2c.MaskTransferHeader();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.version = value;
                        else
                            delete message.version;
                        continue;
                    }
                case 2: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.requestId = value;
                        else
                            delete message.requestId;
                        continue;
                    }
                case 3: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.int32())
                            message.status = value;
                        else
                            delete message.status;
                        continue;
                    }
                case 4: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.bytes()).length)
                            message.cid = value;
                        else
                            delete message.cid;
                        continue;
                    }
                case 5: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.int32())
                            message.encoding = value;
                        else
                            delete message.encoding;
                        continue;
                    }
                case 6: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.totalSize = value;
                        else
                            delete message.totalSize;
                        continue;
                    }
                case 7: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.chunkSize = value;
                        else
                            delete message.chunkSize;
                        continue;
                    }
                case 8: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.chunkCount = value;
                        else
                            delete message.chunkCount;
                        continue;
                    }
                case 9: {
                        if (wireType !== 2)
                            break;
                        message.meta = $root.l2d2c.MaskMeta.decode(reader, reader.size(), $undefined, _depth + 1, message.meta);
                        continue;
                    }
                case 10: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.message = value;
                        else
                            delete message.message;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return MaskTransferHeader;
    })();

    l2d2c.MaskChunk = (function() {

        /**
         * Properties of a MaskChunk.
         * @typedef {Object} l2d2c.MaskChunk.$Properties
         * @property {number|null} [index] MaskChunk index
         * @property {Uint8Array|null} [data] MaskChunk data
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a MaskChunk.
         * @memberof l2d2c
         * @interface IMaskChunk
         * @augments l2d2c.MaskChunk.$Properties
         * @deprecated Use l2d2c.MaskChunk.$Properties instead.
         */

        /**
         * Shape of a MaskChunk.
         * @typedef {l2d2c.MaskChunk.$Properties} l2d2c.MaskChunk.$Shape
         */

        /**
         * Constructs a new MaskChunk.
         * @memberof l2d2c
         * @classdesc Represents a MaskChunk.
         * @constructor
         * @param {l2d2c.MaskChunk.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const MaskChunk = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * MaskChunk index.
         * @member {number} index
         * @memberof l2d2c.MaskChunk
         * @instance
         */
        MaskChunk.prototype.index = 0;

        /**
         * MaskChunk data.
         * @member {Uint8Array} data
         * @memberof l2d2c.MaskChunk
         * @instance
         */
        MaskChunk.prototype.data = $util.newBuffer([]);

        /**
         * Creates a new MaskChunk instance using the specified properties.
         * @function create
         * @memberof l2d2c.MaskChunk
         * @static
         * @param {l2d2c.MaskChunk.$Properties=} [properties] Properties to set
         * @returns {l2d2c.MaskChunk} MaskChunk instance
         * @type {{
         *   (properties: l2d2c.MaskChunk.$Shape): l2d2c.MaskChunk & l2d2c.MaskChunk.$Shape;
         *   (properties?: l2d2c.MaskChunk.$Properties): l2d2c.MaskChunk;
         * }}
         */
        MaskChunk.create = function(properties) {
            return new MaskChunk(properties);
        };

        /**
         * Encodes the specified MaskChunk message. Does not implicitly {@link l2d2c.MaskChunk.verify|verify} messages.
         * @function encode
         * @memberof l2d2c.MaskChunk
         * @static
         * @param {l2d2c.MaskChunk.$Properties} message MaskChunk message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        MaskChunk.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.index != null && $Object.hasOwnProperty.call(message, "index") && message.index !== 0)
                writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.index);
            if (message.data != null && $Object.hasOwnProperty.call(message, "data") && message.data.length)
                writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.data);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a MaskChunk message from the specified reader or buffer.
         * @function decode
         * @memberof l2d2c.MaskChunk
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {l2d2c.MaskChunk & l2d2c.MaskChunk.$Shape} MaskChunk
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        MaskChunk.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.l2d2c.MaskChunk();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.index = value;
                        else
                            delete message.index;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.bytes()).length)
                            message.data = value;
                        else
                            delete message.data;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return MaskChunk;
    })();

    l2d2c.MaskSummary = (function() {

        /**
         * Properties of a MaskSummary.
         * @typedef {Object} l2d2c.MaskSummary.$Properties
         * @property {string|null} [taskKey] MaskSummary taskKey
         * @property {Uint8Array|null} [cid] MaskSummary cid
         * @property {number|null} [reward] MaskSummary reward
         * @property {number|Long|null} [stepsTrained] MaskSummary stepsTrained
         * @property {number|null} [encodedSize] MaskSummary encodedSize
         * @property {Array.<l2d2c.MaskEncoding>|null} [encodings] MaskSummary encodings
         * @property {string|null} [origin] MaskSummary origin
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a MaskSummary.
         * @memberof l2d2c
         * @interface IMaskSummary
         * @augments l2d2c.MaskSummary.$Properties
         * @deprecated Use l2d2c.MaskSummary.$Properties instead.
         */

        /**
         * Shape of a MaskSummary.
         * @typedef {l2d2c.MaskSummary.$Properties} l2d2c.MaskSummary.$Shape
         */

        /**
         * Constructs a new MaskSummary.
         * @memberof l2d2c
         * @classdesc Represents a MaskSummary.
         * @constructor
         * @param {l2d2c.MaskSummary.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const MaskSummary = function (properties) {
            this.encodings = [];
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * MaskSummary taskKey.
         * @member {string} taskKey
         * @memberof l2d2c.MaskSummary
         * @instance
         */
        MaskSummary.prototype.taskKey = "";

        /**
         * MaskSummary cid.
         * @member {Uint8Array} cid
         * @memberof l2d2c.MaskSummary
         * @instance
         */
        MaskSummary.prototype.cid = $util.newBuffer([]);

        /**
         * MaskSummary reward.
         * @member {number} reward
         * @memberof l2d2c.MaskSummary
         * @instance
         */
        MaskSummary.prototype.reward = 0;

        /**
         * MaskSummary stepsTrained.
         * @member {number|Long} stepsTrained
         * @memberof l2d2c.MaskSummary
         * @instance
         */
        MaskSummary.prototype.stepsTrained = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

        /**
         * MaskSummary encodedSize.
         * @member {number} encodedSize
         * @memberof l2d2c.MaskSummary
         * @instance
         */
        MaskSummary.prototype.encodedSize = 0;

        /**
         * MaskSummary encodings.
         * @member {Array.<l2d2c.MaskEncoding>} encodings
         * @memberof l2d2c.MaskSummary
         * @instance
         */
        MaskSummary.prototype.encodings = $util.emptyArray;

        /**
         * MaskSummary origin.
         * @member {string} origin
         * @memberof l2d2c.MaskSummary
         * @instance
         */
        MaskSummary.prototype.origin = "";

        /**
         * Creates a new MaskSummary instance using the specified properties.
         * @function create
         * @memberof l2d2c.MaskSummary
         * @static
         * @param {l2d2c.MaskSummary.$Properties=} [properties] Properties to set
         * @returns {l2d2c.MaskSummary} MaskSummary instance
         * @type {{
         *   (properties: l2d2c.MaskSummary.$Shape): l2d2c.MaskSummary & l2d2c.MaskSummary.$Shape;
         *   (properties?: l2d2c.MaskSummary.$Properties): l2d2c.MaskSummary;
         * }}
         */
        MaskSummary.create = function(properties) {
            return new MaskSummary(properties);
        };

        /**
         * Encodes the specified MaskSummary message. Does not implicitly {@link l2d2c.MaskSummary.verify|verify} messages.
         * @function encode
         * @memberof l2d2c.MaskSummary
         * @static
         * @param {l2d2c.MaskSummary.$Properties} message MaskSummary message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        MaskSummary.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.taskKey != null && $Object.hasOwnProperty.call(message, "taskKey") && message.taskKey !== "")
                writer.uint32(/* id 1, wireType 2 =*/10).string(message.taskKey);
            if (message.cid != null && $Object.hasOwnProperty.call(message, "cid") && message.cid.length)
                writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.cid);
            if (message.reward != null && $Object.hasOwnProperty.call(message, "reward") && !$Object.is(message.reward, 0))
                writer.uint32(/* id 3, wireType 1 =*/25).double(message.reward);
            if (message.stepsTrained != null && $Object.hasOwnProperty.call(message, "stepsTrained") && (typeof message.stepsTrained === "object" ? message.stepsTrained.low || message.stepsTrained.high : message.stepsTrained !== 0))
                writer.uint32(/* id 4, wireType 0 =*/32).uint64(message.stepsTrained);
            if (message.encodedSize != null && $Object.hasOwnProperty.call(message, "encodedSize") && message.encodedSize !== 0)
                writer.uint32(/* id 5, wireType 0 =*/40).uint32(message.encodedSize);
            if (message.encodings != null && message.encodings.length)
                writer.uint32(/* id 6, wireType 2 =*/50).int32s(message.encodings);
            if (message.origin != null && $Object.hasOwnProperty.call(message, "origin") && message.origin !== "")
                writer.uint32(/* id 7, wireType 2 =*/58).string(message.origin);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a MaskSummary message from the specified reader or buffer.
         * @function decode
         * @memberof l2d2c.MaskSummary
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {l2d2c.MaskSummary & l2d2c.MaskSummary.$Shape} MaskSummary
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        MaskSummary.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.l2d2c.MaskSummary();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.taskKey = value;
                        else
                            delete message.taskKey;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.bytes()).length)
                            message.cid = value;
                        else
                            delete message.cid;
                        continue;
                    }
                case 3: {
                        if (wireType !== 1)
                            break;
                        if (!$Object.is(value = reader.double(), 0))
                            message.reward = value;
                        else
                            delete message.reward;
                        continue;
                    }
                case 4: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                            message.stepsTrained = value;
                        else
                            delete message.stepsTrained;
                        continue;
                    }
                case 5: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.encodedSize = value;
                        else
                            delete message.encodedSize;
                        continue;
                    }
                case 6: {
                        if (wireType === 2) {
                            if (!(message.encodings && message.encodings.length))
                                message.encodings = [];
                            reader.int32s(message.encodings);
                            continue;
                        }
                        if (wireType !== 0)
                            break;
                        if (!(message.encodings && message.encodings.length))
                            message.encodings = [];
                        message.encodings.push(reader.int32());
                        continue;
                    }
                case 7: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.origin = value;
                        else
                            delete message.origin;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return MaskSummary;
    })();

    l2d2c.InventoryAnnouncement = (function() {

        /**
         * Properties of an InventoryAnnouncement.
         * @typedef {Object} l2d2c.InventoryAnnouncement.$Properties
         * @property {number|null} [version] InventoryAnnouncement version
         * @property {string|null} [backboneId] InventoryAnnouncement backboneId
         * @property {Array.<l2d2c.MaskSummary.$Properties>|null} [masks] InventoryAnnouncement masks
         * @property {number|Long|null} [sequence] InventoryAnnouncement sequence
         * @property {number|Long|null} [timestampMs] InventoryAnnouncement timestampMs
         * @property {string|null} [role] InventoryAnnouncement role
         * @property {Array.<Uint8Array>|null} [addrs] InventoryAnnouncement addrs
         * @property {number|Long|null} [totalSteps] InventoryAnnouncement totalSteps
         * @property {number|null} [ownIcr] InventoryAnnouncement ownIcr
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of an InventoryAnnouncement.
         * @memberof l2d2c
         * @interface IInventoryAnnouncement
         * @augments l2d2c.InventoryAnnouncement.$Properties
         * @deprecated Use l2d2c.InventoryAnnouncement.$Properties instead.
         */

        /**
         * Shape of an InventoryAnnouncement.
         * @typedef {l2d2c.InventoryAnnouncement.$Properties} l2d2c.InventoryAnnouncement.$Shape
         */

        /**
         * Constructs a new InventoryAnnouncement.
         * @memberof l2d2c
         * @classdesc Represents an InventoryAnnouncement.
         * @constructor
         * @param {l2d2c.InventoryAnnouncement.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const InventoryAnnouncement = function (properties) {
            this.masks = [];
            this.addrs = [];
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * InventoryAnnouncement version.
         * @member {number} version
         * @memberof l2d2c.InventoryAnnouncement
         * @instance
         */
        InventoryAnnouncement.prototype.version = 0;

        /**
         * InventoryAnnouncement backboneId.
         * @member {string} backboneId
         * @memberof l2d2c.InventoryAnnouncement
         * @instance
         */
        InventoryAnnouncement.prototype.backboneId = "";

        /**
         * InventoryAnnouncement masks.
         * @member {Array.<l2d2c.MaskSummary.$Properties>} masks
         * @memberof l2d2c.InventoryAnnouncement
         * @instance
         */
        InventoryAnnouncement.prototype.masks = $util.emptyArray;

        /**
         * InventoryAnnouncement sequence.
         * @member {number|Long} sequence
         * @memberof l2d2c.InventoryAnnouncement
         * @instance
         */
        InventoryAnnouncement.prototype.sequence = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

        /**
         * InventoryAnnouncement timestampMs.
         * @member {number|Long} timestampMs
         * @memberof l2d2c.InventoryAnnouncement
         * @instance
         */
        InventoryAnnouncement.prototype.timestampMs = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

        /**
         * InventoryAnnouncement role.
         * @member {string} role
         * @memberof l2d2c.InventoryAnnouncement
         * @instance
         */
        InventoryAnnouncement.prototype.role = "";

        /**
         * InventoryAnnouncement addrs.
         * @member {Array.<Uint8Array>} addrs
         * @memberof l2d2c.InventoryAnnouncement
         * @instance
         */
        InventoryAnnouncement.prototype.addrs = $util.emptyArray;

        /**
         * InventoryAnnouncement totalSteps.
         * @member {number|Long} totalSteps
         * @memberof l2d2c.InventoryAnnouncement
         * @instance
         */
        InventoryAnnouncement.prototype.totalSteps = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

        /**
         * InventoryAnnouncement ownIcr.
         * @member {number|null|undefined} ownIcr
         * @memberof l2d2c.InventoryAnnouncement
         * @instance
         */
        InventoryAnnouncement.prototype.ownIcr = null;

        // OneOf field names bound to virtual getters and setters
        let $oneOfFields;

        // Virtual OneOf for proto3 optional field
        $Object.defineProperty(InventoryAnnouncement.prototype, "_ownIcr", {
            get: $util.oneOfGetter($oneOfFields = ["ownIcr"]),
            set: $util.oneOfSetter($oneOfFields)
        });

        /**
         * Creates a new InventoryAnnouncement instance using the specified properties.
         * @function create
         * @memberof l2d2c.InventoryAnnouncement
         * @static
         * @param {l2d2c.InventoryAnnouncement.$Properties=} [properties] Properties to set
         * @returns {l2d2c.InventoryAnnouncement} InventoryAnnouncement instance
         * @type {{
         *   (properties: l2d2c.InventoryAnnouncement.$Shape): l2d2c.InventoryAnnouncement & l2d2c.InventoryAnnouncement.$Shape;
         *   (properties?: l2d2c.InventoryAnnouncement.$Properties): l2d2c.InventoryAnnouncement;
         * }}
         */
        InventoryAnnouncement.create = function(properties) {
            return new InventoryAnnouncement(properties);
        };

        /**
         * Encodes the specified InventoryAnnouncement message. Does not implicitly {@link l2d2c.InventoryAnnouncement.verify|verify} messages.
         * @function encode
         * @memberof l2d2c.InventoryAnnouncement
         * @static
         * @param {l2d2c.InventoryAnnouncement.$Properties} message InventoryAnnouncement message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        InventoryAnnouncement.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.version != null && $Object.hasOwnProperty.call(message, "version") && message.version !== 0)
                writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.version);
            if (message.backboneId != null && $Object.hasOwnProperty.call(message, "backboneId") && message.backboneId !== "")
                writer.uint32(/* id 2, wireType 2 =*/18).string(message.backboneId);
            if (message.masks != null && message.masks.length)
                for (let i = 0; i < message.masks.length; ++i)
                    $root.l2d2c.MaskSummary.encode(message.masks[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
            if (message.sequence != null && $Object.hasOwnProperty.call(message, "sequence") && (typeof message.sequence === "object" ? message.sequence.low || message.sequence.high : message.sequence !== 0))
                writer.uint32(/* id 4, wireType 0 =*/32).uint64(message.sequence);
            if (message.timestampMs != null && $Object.hasOwnProperty.call(message, "timestampMs") && (typeof message.timestampMs === "object" ? message.timestampMs.low || message.timestampMs.high : message.timestampMs !== 0))
                writer.uint32(/* id 5, wireType 0 =*/40).uint64(message.timestampMs);
            if (message.role != null && $Object.hasOwnProperty.call(message, "role") && message.role !== "")
                writer.uint32(/* id 6, wireType 2 =*/50).string(message.role);
            if (message.addrs != null && message.addrs.length)
                for (let i = 0; i < message.addrs.length; ++i)
                    writer.uint32(/* id 7, wireType 2 =*/58).bytes(message.addrs[i]);
            if (message.totalSteps != null && $Object.hasOwnProperty.call(message, "totalSteps") && (typeof message.totalSteps === "object" ? message.totalSteps.low || message.totalSteps.high : message.totalSteps !== 0))
                writer.uint32(/* id 8, wireType 0 =*/64).uint64(message.totalSteps);
            if (message.ownIcr != null && $Object.hasOwnProperty.call(message, "ownIcr"))
                writer.uint32(/* id 9, wireType 1 =*/73).double(message.ownIcr);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes an InventoryAnnouncement message from the specified reader or buffer.
         * @function decode
         * @memberof l2d2c.InventoryAnnouncement
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {l2d2c.InventoryAnnouncement & l2d2c.InventoryAnnouncement.$Shape} InventoryAnnouncement
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        InventoryAnnouncement.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.l2d2c.InventoryAnnouncement();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.version = value;
                        else
                            delete message.version;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.backboneId = value;
                        else
                            delete message.backboneId;
                        continue;
                    }
                case 3: {
                        if (wireType !== 2)
                            break;
                        if (!(message.masks && message.masks.length))
                            message.masks = [];
                        message.masks.push($root.l2d2c.MaskSummary.decode(reader, reader.size(), $undefined, _depth + 1));
                        continue;
                    }
                case 4: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                            message.sequence = value;
                        else
                            delete message.sequence;
                        continue;
                    }
                case 5: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                            message.timestampMs = value;
                        else
                            delete message.timestampMs;
                        continue;
                    }
                case 6: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.role = value;
                        else
                            delete message.role;
                        continue;
                    }
                case 7: {
                        if (wireType !== 2)
                            break;
                        if (!(message.addrs && message.addrs.length))
                            message.addrs = [];
                        message.addrs.push(reader.bytes());
                        continue;
                    }
                case 8: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                            message.totalSteps = value;
                        else
                            delete message.totalSteps;
                        continue;
                    }
                case 9: {
                        if (wireType !== 1)
                            break;
                        message.ownIcr = reader.double();
                        message._ownIcr = "ownIcr";
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return InventoryAnnouncement;
    })();

    l2d2c.InventoryRequest = (function() {

        /**
         * Properties of an InventoryRequest.
         * @typedef {Object} l2d2c.InventoryRequest.$Properties
         * @property {number|null} [version] InventoryRequest version
         * @property {number|null} [requestId] InventoryRequest requestId
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of an InventoryRequest.
         * @memberof l2d2c
         * @interface IInventoryRequest
         * @augments l2d2c.InventoryRequest.$Properties
         * @deprecated Use l2d2c.InventoryRequest.$Properties instead.
         */

        /**
         * Shape of an InventoryRequest.
         * @typedef {l2d2c.InventoryRequest.$Properties} l2d2c.InventoryRequest.$Shape
         */

        /**
         * Constructs a new InventoryRequest.
         * @memberof l2d2c
         * @classdesc Represents an InventoryRequest.
         * @constructor
         * @param {l2d2c.InventoryRequest.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const InventoryRequest = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * InventoryRequest version.
         * @member {number} version
         * @memberof l2d2c.InventoryRequest
         * @instance
         */
        InventoryRequest.prototype.version = 0;

        /**
         * InventoryRequest requestId.
         * @member {number} requestId
         * @memberof l2d2c.InventoryRequest
         * @instance
         */
        InventoryRequest.prototype.requestId = 0;

        /**
         * Creates a new InventoryRequest instance using the specified properties.
         * @function create
         * @memberof l2d2c.InventoryRequest
         * @static
         * @param {l2d2c.InventoryRequest.$Properties=} [properties] Properties to set
         * @returns {l2d2c.InventoryRequest} InventoryRequest instance
         * @type {{
         *   (properties: l2d2c.InventoryRequest.$Shape): l2d2c.InventoryRequest & l2d2c.InventoryRequest.$Shape;
         *   (properties?: l2d2c.InventoryRequest.$Properties): l2d2c.InventoryRequest;
         * }}
         */
        InventoryRequest.create = function(properties) {
            return new InventoryRequest(properties);
        };

        /**
         * Encodes the specified InventoryRequest message. Does not implicitly {@link l2d2c.InventoryRequest.verify|verify} messages.
         * @function encode
         * @memberof l2d2c.InventoryRequest
         * @static
         * @param {l2d2c.InventoryRequest.$Properties} message InventoryRequest message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        InventoryRequest.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.version != null && $Object.hasOwnProperty.call(message, "version") && message.version !== 0)
                writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.version);
            if (message.requestId != null && $Object.hasOwnProperty.call(message, "requestId") && message.requestId !== 0)
                writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.requestId);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes an InventoryRequest message from the specified reader or buffer.
         * @function decode
         * @memberof l2d2c.InventoryRequest
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {l2d2c.InventoryRequest & l2d2c.InventoryRequest.$Shape} InventoryRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        InventoryRequest.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.l2d2c.InventoryRequest();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.version = value;
                        else
                            delete message.version;
                        continue;
                    }
                case 2: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.uint32())
                            message.requestId = value;
                        else
                            delete message.requestId;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return InventoryRequest;
    })();

    l2d2c.MaskFileHeader = (function() {

        /**
         * Properties of a MaskFileHeader.
         * @typedef {Object} l2d2c.MaskFileHeader.$Properties
         * @property {Uint8Array|null} [cid] MaskFileHeader cid
         * @property {l2d2c.MaskMeta.$Properties|null} [meta] MaskFileHeader meta
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a MaskFileHeader.
         * @memberof l2d2c
         * @interface IMaskFileHeader
         * @augments l2d2c.MaskFileHeader.$Properties
         * @deprecated Use l2d2c.MaskFileHeader.$Properties instead.
         */

        /**
         * Shape of a MaskFileHeader.
         * @typedef {l2d2c.MaskFileHeader.$Properties} l2d2c.MaskFileHeader.$Shape
         */

        /**
         * Constructs a new MaskFileHeader.
         * @memberof l2d2c
         * @classdesc Represents a MaskFileHeader.
         * @constructor
         * @param {l2d2c.MaskFileHeader.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const MaskFileHeader = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * MaskFileHeader cid.
         * @member {Uint8Array} cid
         * @memberof l2d2c.MaskFileHeader
         * @instance
         */
        MaskFileHeader.prototype.cid = $util.newBuffer([]);

        /**
         * MaskFileHeader meta.
         * @member {l2d2c.MaskMeta.$Properties|null|undefined} meta
         * @memberof l2d2c.MaskFileHeader
         * @instance
         */
        MaskFileHeader.prototype.meta = null;

        /**
         * Creates a new MaskFileHeader instance using the specified properties.
         * @function create
         * @memberof l2d2c.MaskFileHeader
         * @static
         * @param {l2d2c.MaskFileHeader.$Properties=} [properties] Properties to set
         * @returns {l2d2c.MaskFileHeader} MaskFileHeader instance
         * @type {{
         *   (properties: l2d2c.MaskFileHeader.$Shape): l2d2c.MaskFileHeader & l2d2c.MaskFileHeader.$Shape;
         *   (properties?: l2d2c.MaskFileHeader.$Properties): l2d2c.MaskFileHeader;
         * }}
         */
        MaskFileHeader.create = function(properties) {
            return new MaskFileHeader(properties);
        };

        /**
         * Encodes the specified MaskFileHeader message. Does not implicitly {@link l2d2c.MaskFileHeader.verify|verify} messages.
         * @function encode
         * @memberof l2d2c.MaskFileHeader
         * @static
         * @param {l2d2c.MaskFileHeader.$Properties} message MaskFileHeader message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        MaskFileHeader.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.cid != null && $Object.hasOwnProperty.call(message, "cid") && message.cid.length)
                writer.uint32(/* id 1, wireType 2 =*/10).bytes(message.cid);
            if (message.meta != null && $Object.hasOwnProperty.call(message, "meta"))
                $root.l2d2c.MaskMeta.encode(message.meta, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a MaskFileHeader message from the specified reader or buffer.
         * @function decode
         * @memberof l2d2c.MaskFileHeader
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {l2d2c.MaskFileHeader & l2d2c.MaskFileHeader.$Shape} MaskFileHeader
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        MaskFileHeader.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.l2d2c.MaskFileHeader();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.bytes()).length)
                            message.cid = value;
                        else
                            delete message.cid;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        message.meta = $root.l2d2c.MaskMeta.decode(reader, reader.size(), $undefined, _depth + 1, message.meta);
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return MaskFileHeader;
    })();

    return l2d2c;
})();

export {
  $root as default
};
