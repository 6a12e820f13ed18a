package io.github.alpa4j.kernels.cuda;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.DevicePool;
import io.github.alpa4j.cuda.Dim3;
import io.github.alpa4j.cuda.KernelArgs;
import io.github.alpa4j.cuda.RawDeviceMemory;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The CUDA kernel sources compiled as C++ with a CPU emulation of the device features they use
 * (emu/cuda_emu.h), driven by {@link CudaKernels} exactly as on a GPU: same launch shapes, same
 * argument bytes. Device memory is a file mapped by both processes; the emulator maps it at
 * {@link #BASE}, so device addresses are {@code BASE + offset}. It checks the kernels' logic and
 * the Java launch code where there is no GPU; it cannot check NVRTC, timing or the memory model.
 */
final class EmulatedGpu implements AutoCloseable {
    static final long BASE = 0x2000_0000_0000L;
    static final long BYTES = 1L << 30;
    /** One SM: grids of at most 32 blocks, so every kernel's grid-stride loop turns over. */
    static final int SMS = 1;

    private final Path memoryFile;
    private final MappedByteBuffer memory;
    private final Process process;
    private final BufferedWriter commands;
    private final BufferedReader replies;
    private final Path log;
    private long next;

    final DevicePool pool;
    final CudaKernels kernels;
    final DeviceTransfer transfer;

    private EmulatedGpu(Path memoryFile, MappedByteBuffer memory, Process process, Path log) {
        this.memoryFile = memoryFile;
        this.memory = memory;
        this.process = process;
        this.log = log;
        this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII));
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        this.pool = DevicePool.over(new ArenaMemory());
        this.kernels = new CudaKernels(new EmulatedQueue(), pool, (ta, tb, m, n, k, alpha, a, sa, b, sb, beta, c, sc, batch) -> {
            throw new UnsupportedOperationException("the CPU emulation has no cuBLAS");
        }, SMS);
        this.transfer = new ArenaTransfer();
    }

    /** The C++ compiler, if this machine has one. */
    static Optional<Path> compiler() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            Path p = Path.of(dir, "g++");
            if (!dir.isBlank() && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    static EmulatedGpu start(Path gxx, Path work) throws IOException, InterruptedException {
        Path cuda = Files.createDirectories(work.resolve("cuda"));
        Files.writeString(cuda.resolve(CudaSources.HEADER), CudaSources.read(CudaSources.HEADER));
        for (KernelFamily f : KernelFamily.values()) {
            Files.writeString(cuda.resolve(f.fileName()), CudaSources.source(f).code());
        }
        Path emu = Files.createDirectories(work.resolve("emu"));
        for (String file : List.of("cuda_emu.h", "emulator.cpp")) {
            try (InputStream in = EmulatedGpu.class.getResourceAsStream("emu/" + file)) {
                Files.write(emu.resolve(file), in.readAllBytes());
            }
        }
        Path binary = work.resolve("emulator");
        List<String> cmd = new ArrayList<>(List.of(gxx.toString(), "-std=c++20", "-O2", "-ffp-contract=off", "-pthread",
                "-Wall", "-Werror", "-Wno-unknown-pragmas", "-I", cuda.toString(), "-I", emu.toString(),
                "-o", binary.toString(), emu.resolve("emulator.cpp").toString()));
        Process cc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String ccOut = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!cc.waitFor(180, TimeUnit.SECONDS) || cc.exitValue() != 0) {
            throw new IllegalStateException("the emulator did not compile:\n" + ccOut);
        }
        Path shm = Path.of("/dev/shm");
        Path file = Files.createTempFile(Files.isDirectory(shm) ? shm : work, "alpa4j-emulated-gpu", ".mem");
        MappedByteBuffer mem;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(BYTES);
            mem = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, BYTES);
        }
        mem.order(ByteOrder.LITTLE_ENDIAN);
        Path log = work.resolve("emulator.log");
        Process p = new ProcessBuilder(binary.toString(), file.toString(), Long.toHexString(BASE), Long.toString(BYTES))
                .redirectError(log.toFile()).start();
        return new EmulatedGpu(file, mem, p, log);
    }

    private ByteBuffer at(long address, long bytes) {
        long off = address - BASE;
        if (off < 0 || off + bytes > BYTES) {
            throw new IndexOutOfBoundsException("address 0x" + Long.toHexString(address) + " outside the emulated memory");
        }
        return memory.slice((int) off, (int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Bump allocation; freed memory returns only with the whole emulator (the pool caches blocks anyway). */
    private final class ArenaMemory implements RawDeviceMemory {
        @Override
        public long tryAllocate(long bytes) {
            long size = Math.ceilDiv(bytes, 256) * 256;
            if (next + size > BYTES) {
                return 0;
            }
            long a = BASE + next;
            next += size;
            return a;
        }

        @Override
        public void free(long address) {
            at(address, 0);
        }
    }

    private final class EmulatedQueue implements KernelQueue {
        @Override
        public void launch(KernelFamily family, String kernel, Dim3 grid, Dim3 block, KernelArgs args) {
            String line = "launch " + kernel + " " + grid.x() + " " + grid.y() + " " + grid.z() + " " + block.x() + " " + block.y()
                    + " " + block.z() + " " + HexFormat.of().formatHex(args.bytes());
            String reply;
            try {
                commands.write(line);
                commands.newLine();
                commands.flush();
                reply = replies.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException("the emulator stopped (log: " + log + ")", e);
            }
            if (!"ok".equals(reply)) {
                throw new IllegalStateException(kernel + " failed in the emulator: " + reply + " (log: " + log + ")");
            }
        }

        @Override
        public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
            at(dst.address(dstOffset), bytes).put(at(src.address(srcOffset), bytes));
        }

        @Override
        public void memset(DeviceBuffer dst, long offset, int value, long bytes) {
            ByteBuffer b = at(dst.address(offset), bytes);
            for (int i = 0; i < bytes; i++) {
                b.put(i, (byte) value);
            }
        }
    }

    private final class ArenaTransfer implements DeviceTransfer {
        @Override
        public void upload(float[] src, DeviceBuffer dst) {
            at(dst.address(), 4L * src.length).asFloatBuffer().put(src);
        }

        @Override
        public void upload(int[] src, DeviceBuffer dst) {
            at(dst.address(), 4L * src.length).asIntBuffer().put(src);
        }

        @Override
        public void upload(short[] src, DeviceBuffer dst) {
            at(dst.address(), 2L * src.length).asShortBuffer().put(src);
        }

        @Override
        public void download(DeviceBuffer src, float[] dst) {
            at(src.address(), 4L * dst.length).asFloatBuffer().get(dst);
        }

        @Override
        public void download(DeviceBuffer src, short[] dst) {
            at(src.address(), 2L * dst.length).asShortBuffer().get(dst);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            commands.write("quit");
            commands.newLine();
            commands.flush();
        } catch (IOException e) {
            // already gone: nothing to tell it
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        pool.close();
        Files.deleteIfExists(memoryFile);
    }
}
