package org.dbmstream.bitmap;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class BitmapDigestTest {
    private static final Granularity G4K = Granularity.of(4096);

    @Test
    void padsToWholeWordsAndCountsBitsTimesGranularity() throws Exception {
        BitmapDigest d = new BitmapDigest(G4K);
        d.update(new byte[] {(byte) 0xff, 0x01, 0x00}, 0, 3);
        BitmapDigest.Result r = d.finish();
        assertThat(r.setBits()).isEqualTo(9);
        assertThat(r.count()).isEqualTo(9 * 4096);
        assertThat(r.sha256()).isEqualTo(sha256(new byte[] {(byte) 0xff, 0x01, 0, 0, 0, 0, 0, 0}));
    }

    @Test
    void zeroGapsHashLikeZeroBytes() throws Exception {
        byte[] data = new byte[20000];
        data[19999] = 0x40;
        BitmapDigest d = new BitmapDigest(G4K);
        d.updateZeros(19999).update(data, 19999, 1);
        assertThat(d.bytes()).isEqualTo(20000);
        assertThat(d.finish().sha256()).isEqualTo(sha256(data));
    }

    @Test
    void nothingFedHashesOneZeroWordAsQemusMinimalHbitmap() throws Exception {
        assertThat(new BitmapDigest(G4K).finish().sha256()).isEqualTo(sha256(new byte[8]));
    }

    @Test
    void countsSetBitsOfAnyOffsetAndLength() {
        java.util.Random random = new java.util.Random(5);
        byte[] data = new byte[300];
        random.nextBytes(data);
        for (int off = 0; off < 9; off++) {
            for (int len : new int[] {0, 1, 7, 8, 9, 63, 64, 65, 291 - off}) {
                long expected = 0;
                for (int i = off; i < off + len; i++) {
                    expected += Integer.bitCount(data[i] & 0xff);
                }
                BitmapDigest d = new BitmapDigest(G4K);
                d.update(data, off, len);
                assertThat(d.finish().setBits()).as("off %d len %d", off, len).isEqualTo(expected);
            }
        }
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
