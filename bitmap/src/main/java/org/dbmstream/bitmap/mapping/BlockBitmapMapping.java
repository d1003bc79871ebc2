package org.dbmstream.bitmap.mapping;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;

/**
 * QEMU's {@code block-bitmap-mapping} migration parameter: a list of nodes with their aliases and
 * bitmaps, in QMP's JSON shape ({@code node-name}, {@code alias}, {@code bitmaps},
 * {@code name}, {@code transform.persistent}). Parsing checks the shape as QMP does; the content rules
 * (well-formed aliases, lengths, duplicates) are {@link AliasMap}'s.
 */
public record BlockBitmapMapping(List<NodeAlias> nodes) {
    /** Strict as QMP's parser: a member given twice, or anything after the array, is an error. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    public BlockBitmapMapping {
        nodes = List.copyOf(nodes);
    }

    /** Parses the JSON array QMP takes; shape errors carry QMP's messages. */
    public static BlockBitmapMapping fromJson(String json) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (MismatchedInputException e) {
            // the only mismatch a tree read has: a value after the array
            throw new MappingException("block-bitmap-mapping is not valid JSON: something follows the array"
                    + location(e));
        } catch (JsonProcessingException e) {
            throw new MappingException("block-bitmap-mapping is not valid JSON: " + e.getOriginalMessage()
                    + location(e));
        }
        return fromTree(tree);
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    /** Converts an already parsed JSON array (for example a field of a larger document). */
    public static BlockBitmapMapping fromTree(JsonNode tree) {
        return MappingJson.read(tree);
    }

    /** The list as JSON, with QMP's field names; absent transforms are left out. */
    @JsonValue
    public List<NodeAlias> jsonValue() {
        return nodes;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write block-bitmap-mapping as JSON", e);
        }
    }
}
