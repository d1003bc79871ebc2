package org.dbmstream.testkit.fuzz;

/**
 * One edit of a real input, as the fuzz suites generate it. Where it applies is {@code at} modulo the
 * length of a region of the input ({@code region} -1: the whole input), so that generated mutations
 * stay valid whatever the input's length and can be aimed at the bytes that describe structure
 * (headers, tables) instead of payload.
 *
 * @param kind   what the edit does
 * @param region index of a region given to {@link Mutator}, or -1 for the whole input
 * @param at     position, taken modulo the region's length
 * @param value  the value written (for the {@code SET_*} kinds) or a length (for the others)
 */
public record Mutation(Kind kind, int region, long at, long value) {

    /** The kinds of edit: random truncations, bit flips, huge lengths and counts, repeated ranges. */
    public enum Kind {
        FLIP_BIT, SET_BYTE, SET_BE16, SET_BE32, SET_BE64, TRUNCATE, DELETE, INSERT, DUPLICATE
    }
}
