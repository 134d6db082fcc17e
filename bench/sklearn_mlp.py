"""scikit-learn reference for bench/quality.ts: MLPClassifier with its defaults on standardized
numeric / one-hot categorical features; prints the test accuracy."""
import sys
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

train, test, target = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2]), sys.argv[3]
X, y = train.drop(columns=[target]), train[target].astype(str)
numeric = X.select_dtypes("number").columns
categorical = [c for c in X.columns if c not in numeric]
model = make_pipeline(
    make_column_transformer((StandardScaler(), numeric), (OneHotEncoder(handle_unknown="ignore"), categorical)),
    MLPClassifier(random_state=1),
)
model.fit(X, y)
print(model.score(test.drop(columns=[target]), test[target].astype(str)))
