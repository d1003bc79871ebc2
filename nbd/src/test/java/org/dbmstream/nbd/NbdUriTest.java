package org.dbmstream.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The URI forms of qemu and libnbd. */
class NbdUriTest {
    @Test
    void tcpWithPortExportAndSeveralPercentEncodedBitmaps() {
        final NbdUri u = NbdUri.parse("nbd://example.org:10810/disk%200?bitmap=b%20one&bitmap=%C3%A9t%C3%A9+x");
        assertThat(u.address()).isEqualTo(InetSocketAddress.createUnresolved("example.org", 10810));
        assertThat(u.exportName()).isEqualTo("disk 0");
        assertThat(u.bitmaps()).containsExactly("b one", "été+x");
    }

    @Test
    void defaultPortAndIpv6() {
        assertThat(((InetSocketAddress) NbdUri.parse("nbd://[::1]/d?bitmap=b").address()).getPort()).isEqualTo(10809);
        assertThat(((InetSocketAddress) NbdUri.parse("nbd://[::1]/d").address()).getHostString()).isEqualTo("::1");
    }

    @Test
    void unixSocket() {
        final NbdUri u = NbdUri.parse("nbd+unix:///vda?socket=/run/qsd/nbd.sock&bitmap=b&granularity=4K&node=vda"
                + "&enabled=true&persistent=off");
        assertThat(u.address()).isEqualTo(UnixDomainSocketAddress.of(Path.of("/run/qsd/nbd.sock")));
        assertThat(u.exportName()).isEqualTo("vda");
        assertThat(u.granularity(0, null)).isEqualTo("4K");
        final NbdUri two = NbdUri.parse("nbd://h/e?bitmap=a&granularity=4K&bitmap=b&granularity=64K");
        assertThat(two.granularity(1, null)).isEqualTo("64K");
        assertThatThrownBy(() -> NbdUri.parse("nbd://h/e?bitmap=a&granularity=4K&granularity=64K"))
                .hasMessageContaining("as often as bitmap=");
        assertThat(u.flag("enabled", false)).isTrue();
        assertThat(u.flag("persistent", true)).isFalse();
        assertThat(u.server()).isEqualTo("unix:/run/qsd/nbd.sock");
    }

    @Test
    void errorsNameTheProblem() {
        assertThatThrownBy(() -> NbdUri.parse("nbds://h/e")).hasMessageContaining("TLS");
        assertThatThrownBy(() -> NbdUri.parse("nbd+unix:///e")).hasMessageContaining("needs socket=PATH");
        assertThatThrownBy(() -> NbdUri.parse("nbd://h/e?bitmap=a&colour=red")).hasMessageContaining("'colour'");
        assertThatThrownBy(() -> NbdUri.parse("nbd://h/e?bitmap=%zz")).hasMessageContaining("escape");
        assertThatThrownBy(() -> NbdUri.parse("nbd://h/e?bitmap=%4")).hasMessageContaining("escape");
        assertThatThrownBy(() -> NbdUri.parse("nbd://h/e?node=a&node=b")).hasMessageContaining("given twice");
        assertThatThrownBy(() -> NbdUri.parse("nbd://h/e?enabled=maybe").flag("enabled", false))
                .hasMessageContaining("not a boolean");
        assertThat(NbdUri.looksLikeNbd("nbd+unix:///x")).isTrue();
        assertThat(NbdUri.looksLikeNbd("disk.qcow2")).isFalse();
    }
}
