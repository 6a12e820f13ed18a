package io.github.alpa4j.engine.collective;

import io.github.alpa4j.cuda.CudaEvent;
import io.github.alpa4j.cuda.CudaStream;
import io.github.alpa4j.cuda.DeviceBuffer;

/**
 * One device's in-order queue of work, as collectives need it: device-to-device copies, and events
 * that order one queue's work after another's without the host waiting.
 */
public interface DeviceStream {

    /** A point in a stream's work; other streams may wait for it. */
    interface Event extends AutoCloseable {
        @Override
        void close();
    }

    /** A new event of this stream's device. */
    Event newEvent();

    /** Moves {@code e} to the point after all work queued on this stream so far. */
    void record(Event e);

    /** Makes work queued on this stream from now on wait for the point {@code e} was last recorded at. */
    void waitFor(Event e);

    /** Queues a copy of {@code bytes} between device buffers (the ranges do not overlap). */
    void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes);

    /** A CUDA stream; its events are CUDA events without timing. */
    static DeviceStream of(CudaStream stream) {
        record Cuda(CudaStream stream) implements DeviceStream {
            record CudaMark(CudaEvent event) implements Event {
                @Override
                public void close() {
                    event.close();
                }
            }

            @Override
            public Event newEvent() {
                return new CudaMark(CudaEvent.create(stream.device(), false));
            }

            @Override
            public void record(Event e) {
                ((CudaMark) e).event().record(stream);
            }

            @Override
            public void waitFor(Event e) {
                stream.waitFor(((CudaMark) e).event());
            }

            @Override
            public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
                stream.copyAsync(src, srcOffset, dst, dstOffset, bytes);
            }
        }
        return new Cuda(stream);
    }
}
