package org.dbmstream.nbd;

/** Constants of the NBD protocol (nbd/doc/proto.md), the subset this client speaks. */
final class NbdProtocol {
    static final long NBDMAGIC = 0x4e42444d41474943L;
    static final long IHAVEOPT = 0x49484156454F5054L;
    static final long OLDSTYLE_MAGIC = 0x00420281861253L;
    static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;

    static final int FLAG_FIXED_NEWSTYLE = 1;
    static final int FLAG_NO_ZEROES = 2;

    static final int OPT_ABORT = 2;
    static final int OPT_STARTTLS = 5;
    static final int OPT_GO = 7;
    static final int OPT_STRUCTURED_REPLY = 8;
    static final int OPT_LIST_META_CONTEXT = 9;
    static final int OPT_SET_META_CONTEXT = 10;

    static final int REP_ACK = 1;
    static final int REP_INFO = 3;
    static final int REP_META_CONTEXT = 4;
    static final int REP_FLAG_ERROR = 0x80000000;
    static final int REP_ERR_UNSUP = REP_FLAG_ERROR | 1;
    static final int REP_ERR_POLICY = REP_FLAG_ERROR | 2;
    static final int REP_ERR_TLS_REQD = REP_FLAG_ERROR | 5;
    static final int REP_ERR_UNKNOWN = REP_FLAG_ERROR | 6;

    static final int INFO_EXPORT = 0;

    static final int REQUEST_MAGIC = 0x25609513;
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;
    static final int CMD_DISC = 2;
    static final int CMD_BLOCK_STATUS = 7;

    static final int REPLY_FLAG_DONE = 1;
    static final int REPLY_TYPE_NONE = 0;
    static final int REPLY_TYPE_BLOCK_STATUS = 5;
    static final int REPLY_TYPE_ERROR_BIT = 1 << 15;

    /** Status bit of the {@code qemu:dirty-bitmap:NAME} context: the extent is dirty. */
    static final int STATE_DIRTY = 1;

    /** Largest option reply accepted: names and messages are at most a few KiB. */
    static final int MAX_OPTION_REPLY = 64 * 1024;
    /** Largest structured reply chunk accepted (QEMU sends at most about 1 MiB of extents). */
    static final int MAX_REPLY_CHUNK = 4 * 1024 * 1024;

    private NbdProtocol() {
    }

    static String optionName(final int option) {
        return switch (option) {
            case OPT_GO -> "NBD_OPT_GO";
            case OPT_STRUCTURED_REPLY -> "NBD_OPT_STRUCTURED_REPLY";
            case OPT_SET_META_CONTEXT -> "NBD_OPT_SET_META_CONTEXT";
            case OPT_LIST_META_CONTEXT -> "NBD_OPT_LIST_META_CONTEXT";
            case OPT_STARTTLS -> "NBD_OPT_STARTTLS";
            default -> "option " + option;
        };
    }

    static String errorName(final int reply) {
        return switch (reply & ~REP_FLAG_ERROR) {
            case 1 -> "NBD_REP_ERR_UNSUP";
            case 2 -> "NBD_REP_ERR_POLICY";
            case 3 -> "NBD_REP_ERR_INVALID";
            case 4 -> "NBD_REP_ERR_PLATFORM";
            case 5 -> "NBD_REP_ERR_TLS_REQD";
            case 6 -> "NBD_REP_ERR_UNKNOWN";
            case 7 -> "NBD_REP_ERR_SHUTDOWN";
            case 8 -> "NBD_REP_ERR_BLOCK_SIZE_REQD";
            case 9 -> "NBD_REP_ERR_TOO_BIG";
            default -> "error " + (reply & ~REP_FLAG_ERROR);
        };
    }
}
