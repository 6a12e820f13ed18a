package io.github.alpa4j.engine.train;

import io.github.alpa4j.engine.UserInputException;

/** The loss went to NaN or infinity: almost always a learning rate too high for the model. */
public final class TrainingDivergedException extends UserInputException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
