package io.incomeplatform.deploy.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** kustomize reads files only inside its own tree, so the base holds a copy of the setup script. */
class SqlScriptCopyTest {

    @Test
    void shouldKeepTheKustomizeCopyOfTheSqlScriptIdenticalToTheOriginal() throws IOException {
        assertEquals(Files.readString(Repository.ROOT.resolve("deploy/sql/init-databases.sql")),
                Files.readString(Repository.KUBERNETES.resolve("base/db-setup/init-databases.sql")),
                "deploy/sql/init-databases.sql changed; refresh the copy: "
                        + "cp deploy/sql/init-databases.sql deploy/kubernetes/base/db-setup/");
    }
}
