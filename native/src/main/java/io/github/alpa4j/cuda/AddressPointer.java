package io.github.alpa4j.cuda;

import org.bytedeco.javacpp.Pointer;

/**
 * A JavaCPP pointer to an address JavaCPP did not allocate (device memory, a pinned host block);
 * it owns nothing, so closing it frees nothing.
 */
final class AddressPointer extends Pointer {
    AddressPointer(long address) {
        this.address = address;
    }
}
