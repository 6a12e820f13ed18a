package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Collectives over every GPU of this machine, driven from one thread (one GPU is a valid, smaller case). */
@Tag("gpu")
class NcclGpuTest {
    static List<CudaDevice> devices = new ArrayList<>();
    static List<CudaStream> streams = new ArrayList<>();
    static List<DevicePool> pools = new ArrayList<>();
    static List<NcclComm> comms;

    @BeforeAll
    static void open() {
        GpuTests.assumeGpu(CudaLibrary.CUDART, CudaLibrary.NCCL);
        for (int i = 0; i < CudaDevice.count(); i++) {
            CudaDevice d = CudaDevice.open(i);
            devices.add(d);
            streams.add(CudaStream.create(d));
            pools.add(DevicePool.create(d));
        }
        comms = NcclComm.initAll(devices);
    }

    @AfterAll
    static void close() {
        if (comms != null) {
            comms.forEach(NcclComm::close);
        }
        pools.forEach(DevicePool::close);
        streams.forEach(CudaStream::close);
    }

    int n() {
        return devices.size();
    }

    float[] filled(int len, float v) {
        float[] a = new float[len];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void ranks_follow_the_device_list() {
        for (int r = 0; r < n(); r++) {
            assertThat(comms.get(r).rank()).isEqualTo(r);
            assertThat(comms.get(r).size()).isEqualTo(n());
        }
    }

    @Test
    void all_reduce_sums_and_all_gather_concatenates() {
        int len = 1000;
        List<DeviceBuffer> send = new ArrayList<>();
        List<DeviceBuffer> sum = new ArrayList<>();
        List<DeviceBuffer> gathered = new ArrayList<>();
        for (int r = 0; r < n(); r++) {
            DeviceBuffer s = pools.get(r).allocate(4L * len);
            streams.get(r).copyToDevice(filled(len, r + 1), s);
            send.add(s);
            sum.add(pools.get(r).allocate(4L * len));
            gathered.add(pools.get(r).allocate(4L * len * n()));
        }
        try (NcclGroup g = NcclGroup.start()) {
            for (int r = 0; r < n(); r++) {
                comms.get(r).allReduce(send.get(r), sum.get(r), len, NcclDataType.FLOAT32, NcclReduceOp.SUM, streams.get(r));
            }
        }
        try (NcclGroup g = NcclGroup.start()) {
            for (int r = 0; r < n(); r++) {
                comms.get(r).allGather(send.get(r), gathered.get(r), len, NcclDataType.FLOAT32, streams.get(r));
            }
        }
        float total = n() * (n() + 1) / 2f;
        for (int r = 0; r < n(); r++) {
            float[] got = new float[len];
            streams.get(r).copyToHost(sum.get(r), got);
            assertThat(got).containsOnly(total);
            float[] all = new float[len * n()];
            streams.get(r).copyToHost(gathered.get(r), all);
            for (int q = 0; q < n(); q++) {
                assertThat(Arrays.copyOfRange(all, q * len, (q + 1) * len)).containsOnly(q + 1f);
            }
        }
        send.forEach(DeviceBuffer::close);
        sum.forEach(DeviceBuffer::close);
        gathered.forEach(DeviceBuffer::close);
    }

    @Test
    void reduce_scatter_and_broadcast() {
        int block = 256;
        List<DeviceBuffer> send = new ArrayList<>();
        List<DeviceBuffer> recv = new ArrayList<>();
        for (int r = 0; r < n(); r++) {
            float[] v = new float[block * n()];
            for (int i = 0; i < v.length; i++) {
                v[i] = i;
            }
            DeviceBuffer s = pools.get(r).allocate(4L * v.length);
            streams.get(r).copyToDevice(v, s);
            send.add(s);
            recv.add(pools.get(r).allocate(4L * block));
        }
        try (NcclGroup g = NcclGroup.start()) {
            for (int r = 0; r < n(); r++) {
                comms.get(r).reduceScatter(send.get(r), recv.get(r), block, NcclDataType.FLOAT32, NcclReduceOp.SUM, streams.get(r));
            }
        }
        for (int r = 0; r < n(); r++) {
            float[] got = new float[block];
            streams.get(r).copyToHost(recv.get(r), got);
            for (int i = 0; i < block; i++) {
                assertThat(got[i]).isEqualTo((float) n() * (r * block + i));
            }
        }
        try (NcclGroup g = NcclGroup.start()) {
            for (int r = 0; r < n(); r++) {
                comms.get(r).broadcast(recv.get(r), recv.get(r), block, NcclDataType.FLOAT32, 0, streams.get(r));
            }
        }
        for (int r = 0; r < n(); r++) {
            float[] got = new float[block];
            streams.get(r).copyToHost(recv.get(r), got);
            assertThat(got[block - 1]).isEqualTo((float) n() * (block - 1));
        }
        send.forEach(DeviceBuffer::close);
        recv.forEach(DeviceBuffer::close);
    }

    @Test
    void send_and_recv_pass_a_ring() {
        int len = 64;
        List<DeviceBuffer> out = new ArrayList<>();
        List<DeviceBuffer> in = new ArrayList<>();
        for (int r = 0; r < n(); r++) {
            DeviceBuffer o = pools.get(r).allocate(4L * len);
            streams.get(r).copyToDevice(filled(len, 10 + r), o);
            out.add(o);
            in.add(pools.get(r).allocate(4L * len));
        }
        try (NcclGroup g = NcclGroup.start()) {
            for (int r = 0; r < n(); r++) {
                comms.get(r).send(out.get(r), len, NcclDataType.FLOAT32, (r + 1) % n(), streams.get(r));
                comms.get(r).recv(in.get(r), len, NcclDataType.FLOAT32, (r + n() - 1) % n(), streams.get(r));
            }
        }
        for (int r = 0; r < n(); r++) {
            float[] got = new float[len];
            streams.get(r).copyToHost(in.get(r), got);
            assertThat(got).containsOnly(10f + (r + n() - 1) % n());
        }
        out.forEach(DeviceBuffer::close);
        in.forEach(DeviceBuffer::close);
    }
}
