package org.dbmstream.topology.claim;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.dbmstream.topology.store.StoreNames;

/** The part of the destination topology that decides name claims. */
public final class NameClaims {
    private NameClaims() {
    }

    /**
     * Re-keys the loading tasks' claim requests by name (repartition topic {@code claims-by-name}) and
     * decides them; the result holds the winners' events and facts, the losers' facts and revocations.
     */
    public static KStream<String, Object> claim(KStream<String, Object> loaded, long eventCommitMs) {
        return loaded.filter((id, v) -> v instanceof ClaimRequest, Named.as("claims"))
                .map((id, v) -> org.apache.kafka.streams.KeyValue.pair(((ClaimRequest) v).claimKey(), (ClaimRequest) v),
                        Named.as("by-name"))
                .repartition(Repartitioned.with(Serdes.String(), new ClaimRequestSerde()).withName("claims-by-name"))
                .process(() -> new NameClaimProcessor(eventCommitMs), Named.as("claim"), StoreNames.CLAIMS);
    }
}
