package io.github.alpa4j.engine.collective;

/**
 * Collectives over the float buffers {@code F} of one backend, called by every member of the
 * group with its own buffers (SPMD). The only code that moves bytes between devices. Chunks are
 * contiguous and in rank order, as in NCCL: layout changes around them are the caller's.
 */
public interface Collectives<F> {
    /** How an all-reduce combines the members' values. */
    enum Reduction { SUM, MAX }

    /** buf = Σ (or max) over the group of every member's buf (n elements), identical on every member. */
    void allReduce(DeviceGroup g, int device, F buf, long n, Reduction op);

    /** out = concat over ranks of each member's in (n elements each). */
    void allGather(DeviceGroup g, int device, F in, long n, F out);

    /** out = chunk {@code rank} (n elements) of Σ over the group of every member's in (size·n elements). */
    void reduceScatter(DeviceGroup g, int device, F in, long n, F out);

    /** out chunk j (n elements) = chunk {@code rank} of member j's in. */
    void allToAll(DeviceGroup g, int device, F in, long n, F out);

    /** buf on every member = buf of the member with rank {@code root}. */
    void broadcast(DeviceGroup g, int device, int root, F buf, long n);

    /**
     * Sends n elements to device {@code to}; pairs with {@link #recv}, messages between two devices
     * arrive in order. The pipeline runtime needs sends that return before the receiver takes them
     * (eager, copying) and {@code buf} reusable on return: its 1F1B stages send forward and backward
     * in opposite directions, which two blocking sends would deadlock.
     */
    void send(int from, int to, F buf, long n);

    /** Receives n elements sent by device {@code from}. */
    void recv(int to, int from, F buf, long n);
}
