package org.dbmstream.bitmap.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The QMP JSON shape of block-bitmap-mapping, read strictly and written back. */
class BlockBitmapMappingTest {
    private static final String QMP = """
            [ {"node-name": "disk0", "alias": "src",
               "bitmaps": [ {"name": "b1", "alias": "a1", "transform": {"persistent": true}},
                            {"name": "b2", "alias": "a2"},
                            {"name": "b3", "alias": "a3", "transform": {}} ]},
              {"node-name": "disk1", "alias": "other", "bitmaps": []} ]""";

    @Test
    void parsesQmpJson() {
        BlockBitmapMapping m = BlockBitmapMapping.fromJson(QMP);
        assertThat(m.nodes()).containsExactly(
                new NodeAlias("disk0", "src", List.of(new BitmapAlias("b1", "a1", new AliasTransform(true)),
                        new BitmapAlias("b2", "a2"), new BitmapAlias("b3", "a3", new AliasTransform(null)))),
                new NodeAlias("disk1", "other", List.of()));
        assertThat(m.nodes().get(0).bitmaps().get(2).persistentOr(false)).isFalse();
        assertThat(AliasMap.fromJson(QMP).bitmapByAlias("src", "a1").orElseThrow().persistentOr(false)).isTrue();
    }

    @Test
    void writesQmpJsonAndReadsItBack() {
        BlockBitmapMapping m = BlockBitmapMapping.fromJson(QMP);
        String json = m.toJson();
        assertThat(json).contains("\"node-name\":\"disk0\"").contains("\"transform\":{\"persistent\":true}")
                .contains("{\"name\":\"b2\",\"alias\":\"a2\"}").contains("\"transform\":{}");
        assertThat(BlockBitmapMapping.fromJson(json)).isEqualTo(m);
    }

    @Test
    void refusesWhatQmpRefusesWithItsMessages() {
        assertShape("{}", "Invalid parameter type for 'block-bitmap-mapping', expected: array");
        assertShape("[1]", "Invalid parameter type for 'block-bitmap-mapping[0]', expected: object");
        assertShape("[{\"alias\": \"a\", \"bitmaps\": []}]",
                "Parameter 'block-bitmap-mapping[0].node-name' is missing");
        assertShape("[{\"node-name\": \"n\", \"alias\": \"a\"}]",
                "Parameter 'block-bitmap-mapping[0].bitmaps' is missing");
        assertShape("[{\"node-name\": \"n\", \"alias\": \"a\", \"bitmaps\": [], \"x\": 1}]",
                "Parameter 'block-bitmap-mapping[0].x' is unexpected");
        assertShape("[{\"node-name\": 5, \"alias\": \"a\", \"bitmaps\": []}]",
                "Invalid parameter type for 'block-bitmap-mapping[0].node-name', expected: string");
        assertShape("[{\"node-name\": \"n\", \"alias\": \"a\", \"bitmaps\": {}}]",
                "Invalid parameter type for 'block-bitmap-mapping[0].bitmaps', expected: array");
        assertShape("[{\"node-name\": \"n\", \"alias\": \"a\", \"bitmaps\": [{\"name\": \"b\"}]}]",
                "Parameter 'block-bitmap-mapping[0].bitmaps[0].alias' is missing");
        assertShape("[{\"node-name\": \"n\", \"alias\": \"a\", \"bitmaps\": "
                + "[{\"name\": \"b\", \"alias\": \"c\", \"transform\": {\"persistent\": \"yes\"}}]}]",
                "Invalid parameter type for 'block-bitmap-mapping[0].bitmaps[0].transform.persistent', "
                        + "expected: boolean");
        assertShape("[{\"node-name\": \"n\", \"alias\": \"a\", \"bitmaps\": "
                + "[{\"name\": \"b\", \"alias\": \"c\", \"transform\": {\"enabled\": true}}]}]",
                "Parameter 'block-bitmap-mapping[0].bitmaps[0].transform.enabled' is unexpected");
        assertThatThrownBy(() -> BlockBitmapMapping.fromJson("[{"))
                .isInstanceOf(MappingException.class).hasMessageStartingWith("block-bitmap-mapping is not valid JSON");
    }

    private static void assertShape(String json, String message) {
        assertThatThrownBy(() -> BlockBitmapMapping.fromJson(json)).isInstanceOf(MappingException.class)
                .hasMessage(message);
    }
}
