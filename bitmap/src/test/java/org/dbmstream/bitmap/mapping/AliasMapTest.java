package org.dbmstream.bitmap.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every check of QEMU's construct_alias_map, its message, and the order the two directions run in. */
class AliasMapTest {

    private static NodeAlias node(String name, String alias, BitmapAlias... bitmaps) {
        return new NodeAlias(name, alias, List.of(bitmaps));
    }

    private static void assertRefused(String message, NodeAlias... nodes) {
        assertThatThrownBy(() -> AliasMap.of(new BlockBitmapMapping(List.of(nodes))))
                .isInstanceOf(MappingException.class).hasMessage(message);
    }

    @Test
    void looksUpBothDirectionsWithTransforms() {
        AliasMap map = AliasMap.of(new BlockBitmapMapping(List.of(
                node("disk0", "src-disk", new BitmapAlias("b1", "alias1", new AliasTransform(false)),
                        new BitmapAlias("b2", "alias2")),
                node("disk1", "other.disk_1"))));
        assertThat(map.nodeAliasOf("disk0")).contains("src-disk");
        assertThat(map.nodeAliasOf("src-disk")).isEmpty();
        assertThat(map.bitmapOf("disk0", "b1").orElseThrow().alias()).isEqualTo("alias1");
        assertThat(map.bitmapOf("disk0", "b1").orElseThrow().persistentOr(true)).isFalse();
        assertThat(map.bitmapOf("disk0", "b2").orElseThrow().persistentOr(true)).isTrue();
        assertThat(map.bitmapOf("disk0", "b3")).isEmpty();
        assertThat(map.bitmapOf("disk1", "b1")).isEmpty();
        assertThat(map.bitmapOf("nope", "b1")).isEmpty();
        assertThat(map.nodeNameOf("src-disk")).contains("disk0");
        assertThat(map.nodeNameOf("disk0")).isEmpty();
        assertThat(map.bitmapByAlias("src-disk", "alias2").orElseThrow().name()).isEqualTo("b2");
        assertThat(map.bitmapByAlias("src-disk", "b2")).isEmpty();
        assertThat(map.bitmapByAlias("other.disk_1", "alias1")).isEmpty();
    }

    @Test
    void nodeAliasMustBeWellFormed() {
        for (String bad : new String[] {"", "1disk", "#block123", "-x", "a b", "dïsk", "d/0"}) {
            assertRefused("The node alias '" + bad + "' is not well-formed", node("disk0", bad));
        }
        AliasMap.of(new BlockBitmapMapping(List.of(node("disk0", "aZ09-._"))));
    }

    @Test
    void nodeAliasLongerThan255Bytes() {
        String alias = "a".repeat(256);
        assertRefused("The node alias '" + alias + "' is longer than 255 bytes", node("disk0", alias));
        AliasMap.of(new BlockBitmapMapping(List.of(node("disk0", "a".repeat(255)))));
        // well-formedness is checked first
        String both = "9".repeat(300);
        assertRefused("The node alias '" + both + "' is not well-formed", node("disk0", both));
    }

    @Test
    void nodeNameLongerThan31Bytes() {
        String name = "n".repeat(32);
        assertRefused("The node name '" + name + "' is longer than 31 bytes", node(name, "a"));
        String utf8 = "é".repeat(16); // 16 characters, 32 bytes
        assertRefused("The node name '" + utf8 + "' is longer than 31 bytes", node(utf8, "a"));
        AliasMap.of(new BlockBitmapMapping(List.of(node("n".repeat(31), "a"))));
    }

    @Test
    void bitmapAliasLongerThan255Bytes() {
        String alias = "é".repeat(128); // 256 bytes
        assertRefused("The bitmap alias '" + alias + "' is longer than 255 bytes",
                node("disk0", "a", new BitmapAlias("b", alias)));
    }

    @Test
    void bitmapNameLongerThan1023Bytes() {
        String name = "b".repeat(1024);
        assertRefused("The bitmap name '" + name + "' is longer than 1023 bytes",
                node("disk0", "a", new BitmapAlias(name, "x")));
        AliasMap.of(new BlockBitmapMapping(List.of(node("disk0", "a", new BitmapAlias("b".repeat(1023), "x")))));
    }

    @Test
    void duplicates() {
        assertRefused("The node name 'disk0' is mapped twice", node("disk0", "a"), node("disk0", "b"));
        assertRefused("The node alias 'a' is used twice", node("disk0", "a"), node("disk1", "a"));
        assertRefused("The bitmap 'disk0'/'b1' is mapped twice",
                node("disk0", "a", new BitmapAlias("b1", "x"), new BitmapAlias("b1", "y")));
        assertRefused("The bitmap alias 'a'/'x' is used twice",
                node("disk0", "a", new BitmapAlias("b1", "x"), new BitmapAlias("b2", "x")));
        // the same bitmap name or alias on different nodes is fine
        AliasMap.of(new BlockBitmapMapping(List.of(node("disk0", "a", new BitmapAlias("b", "x")),
                node("disk1", "b", new BitmapAlias("b", "x")))));
    }

    @Test
    void theSourceDirectionIsCheckedWholeBeforeTheDestinationDirection() {
        // a duplicate alias comes first in the list, a duplicate name later: QEMU reports the name
        assertRefused("The node name 'disk2' is mapped twice",
                node("disk0", "a"), node("disk1", "a"), node("disk2", "b"), node("disk2", "c"));
        assertRefused("The bitmap 'disk1'/'n' is mapped twice",
                node("disk0", "a", new BitmapAlias("p", "x"), new BitmapAlias("q", "x")),
                node("disk1", "b", new BitmapAlias("n", "y"), new BitmapAlias("n", "z")));
        // within one node the node checks come before its bitmaps' checks
        assertRefused("The node alias '1' is not well-formed",
                node("disk0", "1", new BitmapAlias("b".repeat(2000), "x")));
    }

    @Test
    void qmpPrefixesTheMessage() {
        MappingException e = new MappingException("The node alias 'a' is used twice");
        assertThat(e.qmpMessage())
                .isEqualTo("Invalid mapping given for block-bitmap-mapping: The node alias 'a' is used twice");
    }

    @Test
    void limitsAreInclusiveAndCountedInUtf8Bytes() {
        String alias255 = "é".repeat(127) + "x"; // 255 bytes
        String name1023 = "é".repeat(511) + "x"; // 1023 bytes, 512 characters
        String node31 = "é".repeat(15) + "x"; // 31 bytes
        AliasMap map = AliasMap.of(new BlockBitmapMapping(List.of(
                node(node31, "a".repeat(255), new BitmapAlias(name1023, alias255)))));
        assertThat(map.bitmapOf(node31, name1023).orElseThrow().alias()).isEqualTo(alias255);
        assertThat(map.bitmapByAlias("a".repeat(255), alias255).orElseThrow().name()).isEqualTo(name1023);
        String name1024 = "é".repeat(512); // 512 characters, 1024 bytes
        assertRefused("The bitmap name '" + name1024 + "' is longer than 1023 bytes",
                node("disk0", "a", new BitmapAlias(name1024, "x")));
    }
}
