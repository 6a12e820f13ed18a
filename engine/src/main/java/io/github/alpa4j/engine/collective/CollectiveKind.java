package io.github.alpa4j.engine.collective;

/** The collectives and point-to-point transfers the engine performs. */
public enum CollectiveKind {
    ALL_REDUCE, ALL_GATHER, REDUCE_SCATTER, ALL_TO_ALL, BROADCAST, SEND_RECV;

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
