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
    void tlsUrisAsQemuAndLibnbdWriteThem() throws Exception {
        final NbdUri tcp = NbdUri.parse("nbds://nbd.example.org:10810/vda?bitmap=b&tls-hostname=vm1.example.org");
        assertThat(tcp.tls()).isTrue();
        assertThat(tcp.host()).isEqualTo("nbd.example.org");
        assertThat(tcp.port()).isEqualTo(10810);
        assertThat(tcp.tlsSettings().hostname()).isEqualTo("vm1.example.org");
        final NbdUri unix = NbdUri.parse("nbds+unix:///vda?socket=/run/nbd.sock&bitmap=b");
        assertThat(unix.tls()).isTrue();
        assertThat(unix.host()).isNull();
        assertThat(NbdUri.parse("nbd://h/e").tls()).isFalse();
        // settings the URI leaves out come from the caller; the URI's own win
        final NbdTls defaults = new NbdTls(Path.of("/etc/pki/qemu/ca-cert.pem"), null, null, "fallback");
        assertThat(tcp.withTlsDefaults(defaults).tlsSettings())
                .isEqualTo(new NbdTls(Path.of("/etc/pki/qemu/ca-cert.pem"), null, null, "vm1.example.org"));
        assertThatThrownBy(() -> NbdUri.parse("nbds://h/e?tls-certificates=/nonexistent/dir").tlsSettings())
                .isInstanceOf(NbdException.class).hasMessageContaining("/nonexistent/dir does not exist");
    }

    @Test
    void errorsNameTheProblem() {
        assertThatThrownBy(() -> NbdUri.parse("nbd://h/e?tls-hostname=h")).hasMessageContaining("belongs to TLS URIs");
        assertThatThrownBy(() -> NbdUri.parse("nbds+unix:///e")).hasMessageContaining("nbds+unix:// needs socket=PATH");
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
